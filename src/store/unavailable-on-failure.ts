/**
 * For a session store on another server (Redis/Valkey): any failed call means the server is
 * away, and is reported as StoreUnavailable so the request gets a quick 503 instead of a 500.
 */
import { StoreUnavailable } from '../errors/index.ts';
import type { SessionStore } from '../session/session-store.ts';

export function unavailableOnFailure(store: SessionStore): SessionStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          throw new StoreUnavailable(error);
        }
      };
    },
  });
}
