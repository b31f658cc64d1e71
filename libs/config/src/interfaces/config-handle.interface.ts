import type { Observable } from 'rxjs';

/** A live view of one configuration entry, injected with `@InjectConfig(MyConfig)`. */
export interface ConfigHandle<T extends object> {
  /** The current value (frozen); the declared defaults while the entry has no stored value. */
  get(): T;
  /** The current value now, then each different value (distinct by content). */
  watch(): Observable<T>;
}
