import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { RpcDeadlineExceededException } from '../exceptions/rpc-deadline-exceeded.exception';
import { RpcRemoteException } from '../exceptions/rpc-remote.exception';
import { RpcUnknownMethodException } from '../exceptions/rpc-unknown-method.exception';
import { RpcValidationException } from '../exceptions/rpc-validation.exception';
import { RpcException } from '../exceptions/rpc.exception';
import { fromRpcErrorBody, isRpcReply, toRpcErrorBody } from './rpc-error.codec';

describe('RPC error codec', () => {
  it('keeps the code and details of RpcException and maps Nest and plain errors', () => {
    expect(toRpcErrorBody(new RpcException('OUT_OF_STOCK', 'none left', { sku: 'a' }))).toEqual({
      code: 'OUT_OF_STOCK',
      message: 'none left',
      details: { sku: 'a' },
    });
    expect(toRpcErrorBody(new ForbiddenException('no')).code).toBe('FORBIDDEN');
    expect(toRpcErrorBody(new BadRequestException(['quantity must be positive']))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { violations: [{ property: 'quantity', constraints: ['quantity must be positive'] }] },
    });
    expect(toRpcErrorBody(new TypeError('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
  });

  it('turns wire errors into the typed exceptions callers catch', () => {
    const validation = fromRpcErrorBody(toRpcErrorBody(new RpcValidationException('m', 'server', 'response', [])), 's', 'm');
    expect(validation).toBeInstanceOf(RpcValidationException);
    expect(validation).toMatchObject({ side: 'server', direction: 'response' });
    expect(fromRpcErrorBody({ code: 'UNKNOWN_METHOD', message: '' }, 's', 'm')).toBeInstanceOf(RpcUnknownMethodException);
    expect(fromRpcErrorBody({ code: 'DEADLINE_EXCEEDED', message: '' }, 's', 'm')).toBeInstanceOf(RpcDeadlineExceededException);
    const remote = fromRpcErrorBody({ code: 'OUT_OF_STOCK', message: 'x', details: 1 }, 's', 'm');
    expect(remote).toBeInstanceOf(RpcRemoteException);
    expect(remote).toMatchObject({ code: 'OUT_OF_STOCK', service: 's', method: 'm', details: 1 });
  });

  it('recognises replies', () => {
    expect(isRpcReply({ ok: true, result: null })).toBe(true);
    expect(isRpcReply({ ok: false, error: { code: 'X', message: 'y' } })).toBe(true);
    expect(isRpcReply({ ok: false })).toBe(false);
    expect(isRpcReply('nope')).toBe(false);
  });
});
