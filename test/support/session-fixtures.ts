/**
 * Sessions for the store suites: fresh ids, a user session with its client sessions filled in
 * with plausible defaults, and a bounded drain of the sweeper.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { ClientSession, SessionStore, UserSession } from '../../src/session/index.ts';

export const uid = (label: string): string => `${label}-${crypto.randomUUID()}`;
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function clientSession(clientUuid: string, extra: Partial<ClientSession> = {}): ClientSession {
  const t = nowSeconds();
  return { clientUuid, started: t, timestamp: t, scope: 'openid profile', refreshTokenUses: 0, ...extra };
}

export function userSession(extra: Partial<UserSession> & { clients?: ClientSession[] } = {}): UserSession {
  const t = nowSeconds();
  const { clients = [], ...rest } = extra;
  return {
    id: uid('us'),
    offline: false,
    realmId: 'realm-contract',
    userId: uid('user'),
    started: t,
    lastRefresh: t,
    rememberMe: false,
    ipAddress: '192.0.2.7',
    authTime: t,
    expiresAt: t + 3600,
    clientSessions: new Map(clients.map((cs) => [cs.clientUuid, cs])),
    ...rest,
  };
}

/** Runs `removeExpired` until it has nothing left; bounded so a store that never drains fails instead of hanging. */
export async function drainExpired(store: SessionStore, now: number, limit: number): Promise<number[]> {
  const batches: number[] = [];
  for (let round = 0; round < 50; round += 1) {
    const removed = await store.removeExpired(now, limit);
    batches.push(removed);
    if (removed === 0) return batches;
  }
  assert.fail(`removeExpired still removing after 50 rounds: ${batches.join(',')}`);
}

