/**
 * Wrap an expensive read (a database query behind a gauge) so that calls closer together than
 * `minIntervalMs` share the last result instead of querying again; concurrent calls share one
 * query in flight. A failed read is not cached.
 */
export function throttledRead<T>(read: () => Promise<T>, minIntervalMs: number, now: () => number = Date.now): () => Promise<T> {
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (last && now() - last.at < minIntervalMs) return Promise.resolve(last.value);
    inFlight ??= read()
      .then((value) => {
        last = { at: now(), value };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}
