type OutboxLib = typeof import('@tributary/outbox');
type ProjectionsLib = typeof import('@tributary/projections');
type DiscoveryLib = typeof import('@tributary/discovery');

function load<T>(name: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(name)) return undefined;
    throw e;
  }
}

/** The optional Tributary libs, loaded only when installed: the admin works with any subset. */
export const optionalPeers = {
  outbox: (): OutboxLib | undefined => load<OutboxLib>('@tributary/outbox'),
  projections: (): ProjectionsLib | undefined => load<ProjectionsLib>('@tributary/projections'),
  discovery: (): DiscoveryLib | undefined => load<DiscoveryLib>('@tributary/discovery'),
};
