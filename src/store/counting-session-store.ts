/**
 * Counts the writes that reach the durable store, by operation, for the `store writes per
 * request` figures (metrics and benchmarks). Reads pass through untouched.
 */
import type { SessionStore } from '../session/session-store.ts';

const WRITES = new Set<keyof SessionStore>([
  'createUserSession',
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

export function countingWrites(store: SessionStore, onWrite: (operation: string) => void): SessionStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (!WRITES.has(property as keyof SessionStore)) return value.bind(target);
      return (...args: unknown[]) => {
        onWrite(String(property));
        return value.apply(target, args);
      };
    },
  });
}
