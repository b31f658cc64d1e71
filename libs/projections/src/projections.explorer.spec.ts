import { Injectable, Scope } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { On } from './decorators/on.decorator';
import { Projection } from './decorators/projection.decorator';
import { Upcaster } from './decorators/upcaster.decorator';
import { RequestScopedProjectionException } from './exceptions/request-scoped-projection.exception';
import { ProjectionsExplorer } from './projections.explorer';

@Projection({ name: 'explorer-spec' })
class CustomerDirectory {
  @On('explorer-spec.registered')
  @On('explorer-spec.renamed')
  changed() {}

  @Upcaster('explorer-spec.registered', 1)
  v1(payload: Record<string, unknown>) {
    return { ...payload, upcastBy: this.constructor.name };
  }

  notAHandler() {}
}

@Projection({ name: 'scoped' })
@Injectable({ scope: Scope.REQUEST })
class ScopedProjection {
  @On('explorer-spec.registered')
  handle() {}
}

async function explore(providers: Array<new (...args: never[]) => unknown>) {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], providers: [ProjectionsExplorer, ...providers] }).compile();
  try {
    return moduleRef.get(ProjectionsExplorer).explore();
  } finally {
    await moduleRef.close();
  }
}

describe('ProjectionsExplorer', () => {
  it('finds @Projection providers with their stacked @On targets and bound @Upcaster methods', async () => {
    const [found, ...rest] = await explore([CustomerDirectory]);
    expect(rest).toHaveLength(0);
    expect(found.className).toBe('CustomerDirectory');
    expect(found.options).toEqual({ name: 'explorer-spec' });
    expect(found.handlers).toEqual([
      { className: 'CustomerDirectory', methodName: 'changed', targets: ['explorer-spec.renamed', 'explorer-spec.registered'], batch: false },
    ]);
    expect(found.upcasters).toHaveLength(1);
    expect(found.upcasters[0]).toMatchObject({ type: 'explorer-spec.registered', fromVersion: 1, source: 'CustomerDirectory.v1' });
    expect(found.upcasters[0].upcast({ a: 1 })).toEqual({ a: 1, upcastBy: 'CustomerDirectory' });
  });

  it('rejects a request-scoped projection with a clear error', async () => {
    await expect(explore([ScopedProjection])).rejects.toThrow(RequestScopedProjectionException);
    await expect(explore([ScopedProjection])).rejects.toThrow(/ScopedProjection is not a singleton/);
  });
});
