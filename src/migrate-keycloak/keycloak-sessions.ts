/**
 * Keycloak's persistent user sessions (OFFLINE_USER_SESSION / OFFLINE_CLIENT_SESSION, both online
 * `'0'` and offline `'1'` rows) as holdfast sessions: ids kept (the user session id is the tokens'
 * `sid`; the online and offline session of one browser login share it, as in Keycloak), start and
 * last refresh, remember-me (the 26.5 column or the JSON flag, as Keycloak ORs them), the notes
 * that matter, and the refresh-token rotation state of each client session. A session Keycloak
 * would no longer accept (idle or max lifespan over, realm and client overrides included, logged
 * out, its user or client gone) is left out, so the move resurrects nothing.
 */
import type { Client, Realm } from '../realm/index.ts';
import { isClientSessionValid, isUserSessionValid, userSessionDeadline, type ClientSession, type UserSession } from '../session/index.ts';
import type { KeycloakSnapshot, Row } from './keycloak-snapshot.ts';

/** Keycloak-internal user-session notes holdfast has no use for (device fingerprint, flow bookkeeping). */
const DROPPED_USER_NOTES = new Set(['KC_DEVICE_NOTE', 'authenticators-completed']);

const REFRESH_TOKEN_PREFIX = 'refreshTokenPrefix';
const REFRESH_TOKEN_USE_PREFIX = 'refreshTokenUsePrefix';
const REFRESH_TOKEN_LAST_REFRESH_PREFIX = 'refreshTokenLastRefreshPrefix';

export interface SessionPage {
  rows: Row[];
  clientRows: Row[];
  /** Where the next page starts (keyset: user session id, offline flag). */
  after?: { id: string; flag: string };
}

/** One page of a realm's user sessions with their client sessions, in id order. */
export async function readSessionPage(snapshot: KeycloakSnapshot, realmId: string, rememberMeColumn: boolean, limit: number, after?: { id: string; flag: string }): Promise<SessionPage> {
  const rows = await snapshot.query(
    `SELECT user_session_id, offline_flag, user_id, created_on, last_session_refresh, data${rememberMeColumn ? ', remember_me' : ''}
       FROM offline_user_session WHERE realm_id = $1 AND (user_session_id, offline_flag) > ($2, $3)
      ORDER BY user_session_id, offline_flag LIMIT $4`,
    [realmId, after?.id ?? '', after?.flag ?? '', limit],
  );
  if (rows.length === 0) return { rows, clientRows: [] };
  const ids = [...new Set(rows.map((r) => r.user_session_id as string))];
  const clientRows = await snapshot.query(
    `SELECT user_session_id, offline_flag, client_id, external_client_id, timestamp, data FROM offline_client_session WHERE user_session_id = ANY($1::varchar[])`,
    [ids],
  );
  const last = rows[rows.length - 1];
  return { rows, clientRows, after: rows.length === limit ? { id: last.user_session_id as string, flag: last.offline_flag as string } : undefined };
}

function parseJson(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function stringNotes(value: unknown): Record<string, string> {
  const notes: Record<string, string> = {};
  if (value === null || typeof value !== 'object') return notes;
  for (const [key, note] of Object.entries(value as Record<string, unknown>)) if (typeof note === 'string') notes[key] = note;
  return notes;
}

/**
 * The rotation state of a client session: Keycloak keeps one chain per `reuse_id`, holdfast one
 * per client session, so the chain refreshed last is the one carried (the jti Keycloak stored for
 * it and its use count).
 */
export function rotationState(notes: Record<string, string>): { refreshTokenJti?: string; refreshTokenUses: number; lastRefresh?: number } {
  let newest: { key: string; at: number } | undefined;
  for (const [name, value] of Object.entries(notes)) {
    if (!name.startsWith(REFRESH_TOKEN_LAST_REFRESH_PREFIX)) continue;
    const key = name.slice(REFRESH_TOKEN_LAST_REFRESH_PREFIX.length);
    const at = Number(value);
    if (Number.isFinite(at) && (!newest || at > newest.at)) newest = { key, at };
  }
  const key = newest?.key ?? (notes[REFRESH_TOKEN_PREFIX] !== undefined ? '' : undefined);
  if (key === undefined) return { refreshTokenUses: 0 };
  const uses = Number(notes[REFRESH_TOKEN_USE_PREFIX + key] ?? 0);
  return { refreshTokenJti: notes[REFRESH_TOKEN_PREFIX + key], refreshTokenUses: Number.isFinite(uses) ? uses : 0, lastRefresh: newest?.at };
}

export type SkipReason = 'expired' | 'logged-out' | 'unknown-user' | 'external-client' | 'no-client-session';

export interface MappedSessions {
  sessions: UserSession[];
  skipped: Map<SkipReason, number>;
  /** Client sessions left out of sessions that were kept (client gone, external, or expired). */
  skippedClientSessions: number;
}

/** The page's sessions Keycloak would still accept, as holdfast sessions. */
export function mapSessions(page: SessionPage, realm: Realm, clients: Map<string, Client>, userIds: Set<string>, now: number): MappedSessions {
  const skipped = new Map<SkipReason, number>();
  const skip = (reason: SkipReason) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  const clientRowsOf = new Map<string, Row[]>();
  for (const row of page.clientRows) {
    const key = `${row.user_session_id}/${row.offline_flag}`;
    if (!clientRowsOf.has(key)) clientRowsOf.set(key, []);
    clientRowsOf.get(key)!.push(row);
  }
  const sessions: UserSession[] = [];
  let skippedClientSessions = 0;
  for (const row of page.rows) {
    const data = parseJson(row.data);
    const state = typeof data.state === 'string' ? data.state : 'LOGGED_IN';
    if (state !== 'LOGGED_IN' && state !== 'LOGGING_IN') {
      skip('logged-out');
      continue;
    }
    const userId = row.user_id as string;
    if (!userIds.has(userId)) {
      skip('unknown-user');
      continue;
    }
    const offline = row.offline_flag === '1';
    const notes = stringNotes(data.notes);
    for (const name of DROPPED_USER_NOTES) delete notes[name];
    const started = Number(row.created_on);
    const authTime = Number(notes.AUTH_TIME ?? started);
    const session: UserSession = {
      id: row.user_session_id as string,
      offline,
      realmId: realm.id,
      userId,
      started,
      lastRefresh: Number(row.last_session_refresh),
      rememberMe: row.remember_me === true || data.rememberMe === true,
      ipAddress: typeof data.ipAddress === 'string' ? data.ipAddress : '',
      authTime: Number.isFinite(authTime) ? authTime : started,
      expiresAt: 0,
      ...(Object.keys(notes).length > 0 ? { notes } : {}),
      clientSessions: new Map(),
    };
    if (!isUserSessionValid(realm.settings, session, now)) {
      skip('expired');
      continue;
    }
    for (const clientRow of clientRowsOf.get(`${session.id}/${row.offline_flag}`) ?? []) {
      const client = clients.get(clientRow.client_id as string);
      if (!client || clientRow.external_client_id !== 'local') {
        skippedClientSessions++;
        continue;
      }
      const clientData = parseJson(clientRow.data);
      const clientNotes = stringNotes(clientData.notes);
      if (typeof clientData.action === 'string' && clientData.action.startsWith('LOGG')) {
        skippedClientSessions++;
        continue;
      }
      const clientStarted = Number(clientNotes.startedAt ?? started);
      const { lastRefresh: chainRefreshed, ...rotation } = rotationState(clientNotes);
      // holdfast's stale check compares a token's iat with the client session's last refresh: never earlier than the chain's.
      const timestamp = Math.max(Number(clientRow.timestamp ?? session.lastRefresh), chainRefreshed ?? 0);
      const clientSession: ClientSession = {
        clientUuid: client.id,
        started: Number.isFinite(clientStarted) ? clientStarted : started,
        timestamp,
        scope: clientNotes.scope ?? '',
        ...(typeof clientData.redirectUri === 'string' ? { redirectUri: clientData.redirectUri } : {}),
        ...rotation,
      };
      if (!isClientSessionValid(realm.settings, client, session, clientSession, now)) {
        skippedClientSessions++;
        continue;
      }
      session.clientSessions.set(client.id, clientSession);
    }
    if (session.clientSessions.size === 0 && offline) {
      // An offline session lives only for its clients' offline tokens: none left, nothing to refresh.
      skip('no-client-session');
      continue;
    }
    session.expiresAt = userSessionDeadline(realm.settings, session);
    sessions.push(session);
  }
  return { sessions, skipped, skippedClientSessions };
}
