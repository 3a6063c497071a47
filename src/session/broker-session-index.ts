/**
 * Finding user sessions by their `broker_session_id` note (`{alias}.{upstream sid}`), as an
 * upstream's back-channel logout token that names only its `sid` asks (Keycloak accepts such
 * tokens and ends the sessions whose broker session id matches). The store keeps sessions by id
 * and by user, so each brokered session's creation records which local user holds that broker
 * session, as a short-lived record in the store that lives as long as the session can: the
 * logout then looks through that one user's sessions. The record is written before the session,
 * so no acknowledged session is missing from it; one left by a session that has ended since only
 * leads to a user with no matching session. The last brokered session of a broker session id
 * names its user (one upstream session belongs to one upstream account, linked to one user).
 * An offline session without a max lifespan is found within its first idle window; after that a
 * token with its `sub` still finds it through the user's link.
 */
import { createHash } from 'node:crypto';
import type { RealmSettings } from '../realm/types.ts';
import type { SessionStore } from './session-store.ts';
import type { UserSession } from './types.ts';
import { userSessionDeadline, userSessionMaxTimestamp } from './lifetimes.ts';

export const BROKER_SESSION_NOTE = 'broker_session_id';
/** Bounded retries of the compare-and-set when concurrent logins of one broker session race. */
const MAX_ATTEMPTS = 4;

function keyOf(realmId: string, brokerSessionId: string): string {
  return `broker-session:${createHash('sha256').update(`${realmId}\n${brokerSessionId}`).digest('base64url')}`;
}

function recordOf(value: string): { userId: string; until: number } | undefined {
  try {
    const record = JSON.parse(value) as { userId?: unknown; until?: unknown };
    return typeof record.userId === 'string' && typeof record.until === 'number' ? { userId: record.userId, until: record.until } : undefined;
  } catch {
    return undefined;
  }
}

/** Records that the session's user holds its broker session, until the session is certainly over. */
export async function indexBrokerSession(store: SessionStore, realm: RealmSettings, session: UserSession, now: number): Promise<void> {
  const brokerSessionId = session.notes?.[BROKER_SESSION_NOTE];
  if (brokerSessionId === undefined) return;
  const key = keyOf(session.realmId, brokerSessionId);
  const until = userSessionMaxTimestamp(realm, session) ?? userSessionDeadline(realm, session);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await store.getEphemeral(key, now);
    if (current === undefined) {
      if (await store.putEphemeral(key, JSON.stringify({ userId: session.userId, until }), until, now)) return;
      continue;
    }
    // Another session of the same broker session: the record lasts as long as the longer of the two.
    const longest = Math.max(until, recordOf(current)?.until ?? 0);
    if (await store.replaceEphemeral(key, current, JSON.stringify({ userId: session.userId, until: longest }), longest, now)) return;
  }
  throw new Error('broker session index: too many concurrent updates');
}

/** The local user who holds the broker session, as far as the record knows. */
export async function brokerSessionUser(store: SessionStore, realmId: string, brokerSessionId: string, now: number): Promise<string | undefined> {
  const value = await store.getEphemeral(keyOf(realmId, brokerSessionId), now);
  return value === undefined ? undefined : recordOf(value)?.userId;
}
