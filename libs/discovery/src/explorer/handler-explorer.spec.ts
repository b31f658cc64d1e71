import {
  Injectable,
  Module,
  Scope,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { map, type Observable } from 'rxjs';
import { DuplicateHandlerException } from '../exceptions/duplicate-handler.exception';
import { RequestScopedHandlerException } from '../exceptions/request-scoped-handler.exception';
import { HandlerExplorer } from './handler-explorer';

const Handles = DiscoveryService.createDecorator<{ id: string }>();

class DenyOdd implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return (context.switchToRpc().getData() as number) % 2 === 0;
  }
}

class Doubling implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    expect(context.getType()).toBe('rpc');
    return next.handle().pipe(map((v) => (v as number) * 2));
  }
}

@Injectable()
class Squares {
  @Handles({ id: 'square' })
  @UseGuards(DenyOdd)
  @UseInterceptors(Doubling)
  square(n: number): number {
    return n * n;
  }

  notAHandler(): void {}
}

@Injectable()
class OtherSquares {
  @Handles({ id: 'square' })
  square(n: number): number {
    return n;
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {
  @Handles({ id: 'scoped' })
  handle(): void {}
}

async function explorerFor(...providers: Array<new (...args: never[]) => unknown>): Promise<HandlerExplorer> {
  @Module({ imports: [DiscoveryModule], providers: [HandlerExplorer, ...providers] })
  class HostModule {}
  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  return moduleRef.get(HandlerExplorer);
}

describe('HandlerExplorer', () => {
  it('finds decorated methods and runs them through guards and interceptors', async () => {
    const explorer = await explorerFor(Squares);
    const found = explorer.explore(Handles, { kind: 'test handler', id: (m) => m.id });
    expect(found.map((h) => [h.name, h.meta])).toEqual([['Squares.square', { id: 'square' }]]);
    const call = explorer.bind(found[0]);
    await expect(call(4)).resolves.toBe(32);
    await expect(call(3)).rejects.toThrow(/Forbidden/);
  });

  it('reports two handlers with the same id, naming both classes', async () => {
    const explorer = await explorerFor(Squares, OtherSquares);
    expect(() => explorer.explore(Handles, { kind: 'test handler', id: (m) => m.id })).toThrow(DuplicateHandlerException);
    expect(() => explorer.explore(Handles, { kind: 'test handler', id: (m) => m.id })).toThrow(
      /"square" is declared twice: by Squares.square and by OtherSquares.square/,
    );
  });

  it('rejects request-scoped handlers with a clear error', async () => {
    const explorer = await explorerFor(PerRequest);
    expect(() => explorer.explore(Handles, { kind: 'test handler' })).toThrow(RequestScopedHandlerException);
    expect(() => explorer.explore(Handles, { kind: 'test handler' })).toThrow(/PerRequest.handle is request-scoped/);
  });
});
