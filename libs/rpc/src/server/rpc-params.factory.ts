import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator';
import { RpcParamtype } from '../rpc.constants';

/** Gives `@RpcPayload()` and `@RpcCtx()` parameters their values from the handler's `(payload, context)` arguments. */
export class RpcParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    if (!args) return null;
    const [payload, context] = args;
    switch (type as RpcParamtype) {
      case RpcParamtype.PAYLOAD:
        return typeof data === 'string' && payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[data] : payload;
      case RpcParamtype.CONTEXT:
        return context;
      default:
        return null;
    }
  }
}
