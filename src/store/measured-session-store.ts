/**
 * Measures the calls that reach the durable store: counts the writes by operation (the `store
 * writes per request` figures of metrics and benchmarks) and times every call, read or write.
 * Each method's wrapper is made once, on first use, so a call costs one clock read on each side.
 */
import { performance } from 'node:perf_hooks';
import type { SessionStore } from '../session/session-store.ts';

const WRITES = new Set<keyof SessionStore>([
  'createUserSession',
  'putUserSessions',
  'putClientSession',
  'removeClientSession',
  'deleteUserSession',
  'deleteUserSessionsOfUser',
  'touch',
  'useRefreshToken',
  'createAuthSession',
  'putAuthSession',
  'deleteAuthSession',
  'putCode',
  'consumeCode',
  'removeExpired',
  'revokeToken',
  'claimOnce',
  'putEphemeral',
  'replaceEphemeral',
  'takeEphemeral',
  'deleteEphemeral',
  'recordLoginFailure',
  'lockLoginFailure',
  'deleteLoginFailures',
  'claimLoginAttempt',
  'releaseLoginAttempt',
]);

/** Not store work: lifecycle calls are neither counted nor timed. */
const UNMEASURED = new Set<string | symbol>(['close', 'constructor']);

export interface StoreObserver {
  storeWrite(operation: string): void;
  storeCall(operation: string, write: boolean, seconds: number): void;
}

export function measuredStore(store: SessionStore, observer: StoreObserver): SessionStore {
  // Keyed by the method itself, so a method replaced on the store later is wrapped anew, not bypassed.
  const wrappers = new WeakMap<object, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const known = wrappers.get(value);
      if (known) return known;
      const operation = String(property);
      const write = WRITES.has(property as keyof SessionStore);
      const wrapper = UNMEASURED.has(property)
        ? value.bind(target)
        : (...args: unknown[]) => {
            if (write) observer.storeWrite(operation);
            const started = performance.now();
            const result = value.apply(target, args) as unknown;
            // then(), not finally(): finally costs several times more per call on Node 20.
            if (result instanceof Promise) {
              return result.then(
                (settled: unknown) => {
                  observer.storeCall(operation, write, (performance.now() - started) / 1000);
                  return settled;
                },
                (error: unknown) => {
                  observer.storeCall(operation, write, (performance.now() - started) / 1000);
                  throw error;
                },
              );
            }
            observer.storeCall(operation, write, (performance.now() - started) / 1000);
            return result;
          };
      wrappers.set(value, wrapper);
      return wrapper;
    },
  });
}
