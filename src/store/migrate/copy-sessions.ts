/**
 * Copies the session store's contents between the SQL tables and Redis (`--sessions sql` ↔
 * `--sessions redis`) through the SessionStore interface on the writing side, so the target holds
 * exactly what its own nodes would have written: user and offline sessions with their client
 * sessions (refresh-token rotation state included), and from SQL also the codes in flight,
 * revoked tokens, single-use claims and short-lived records (device codes, pushed requests).
 * A session already in the target is replaced, so a re-run finishes a copy that stopped. Every
 * session is read back from the target and compared.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { SessionStore } from '../../session/session-store.ts';
import type { AuthorizationCode, UserSession } from '../../session/types.ts';
import type { Database } from '../sql/schema.ts';
import { toClientSession, toUserSession } from '../sql/sql-session-store.ts';
import type { CopyProgress, TableReport } from './copy-sql-tables.ts';
import { RowChecksum } from './row-checksum.ts';

/** What the sessions copy leaves behind, said by the command (never dropped silently). */
export const SESSIONS_NOT_COPIED = [
  'logins in progress (authentication sessions): a user on the login form when the copy runs starts the login again',
  'brute-force counters: they start again at zero on the target (a temporary lockout ends)',
];
export const FROM_REDIS_NOT_COPIED = ['authorization codes in flight, single-use claims and short-lived records: Redis cannot list them; a code issued during the pause is refused'];

/** One canonical text of a session, the same from either store. */
function canonical(session: UserSession): string {
  const { clientSessions, ...rest } = session;
  const clients = [...clientSessions.values()]
    .sort((a, b) => (a.clientUuid < b.clientUuid ? -1 : 1))
    .map((c) => [c.clientUuid, c.started, c.timestamp, c.scope, c.redirectUri ?? null, c.refreshTokenJti ?? null, c.refreshTokenUses]);
  const notes = rest.notes ? Object.entries(rest.notes).sort(([a], [b]) => (a < b ? -1 : 1)) : null;
  return JSON.stringify([rest.id, rest.offline, rest.realmId, rest.userId, rest.started, rest.lastRefresh, rest.rememberMe, rest.ipAddress, rest.authTime, rest.expiresAt, rest.userAgent ?? null, notes, clients]);
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Writes a batch of sessions `concurrency` at a time, then reads each back and checksums both
 * sides. On a re-run each is put through the store's own replacing write (putUserSessions), so a
 * session an earlier run left is replaced with its client sessions and counted once.
 */
async function copyBatch(target: SessionStore, sessions: UserSession[], read: RowChecksum, written: RowChecksum, options: SessionCopyOptions): Promise<void> {
  const { concurrency, resume } = options;
  for (let i = 0; i < sessions.length; i += concurrency) {
    const slice = sessions.slice(i, i + concurrency);
    if (resume) await target.putUserSessions(slice);
    else await Promise.all(slice.map((s) => target.createUserSession(s)));
    const back = await Promise.all(slice.map((s) => target.getUserSession(s.id, s.offline)));
    slice.forEach((s, j) => {
      read.add({ h: digest(canonical(s)) }, ['h']);
      const stored = back[j];
      if (stored) written.add({ h: digest(canonical(stored)) }, ['h']);
    });
  }
}

export interface SessionCopyOptions {
  batchSize: number;
  concurrency: number;
  /** The target may hold sessions of an earlier run: each is replaced. */
  resume: boolean;
  progress: CopyProgress;
  nowSeconds: number;
}

/** SQL (`user_session`, `client_session`, …) → another session store (Redis). */
export async function copySessionsFromSql(db: Kysely<Database>, target: SessionStore, options: SessionCopyOptions): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  const total = Number((await db.selectFrom('user_session').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  options.progress.start('sessions', total);
  const read = new RowChecksum();
  const written = new RowChecksum();
  let after: { id: string; offline: number } | undefined;
  for (let page = 0; page < 1e9; page++) {
    let query = db.selectFrom('user_session').selectAll().orderBy('id').orderBy('offline').limit(options.batchSize);
    if (after) {
      const bound = after;
      query = query.where(sql<boolean>`(id, offline) > (${bound.id}, ${bound.offline})`);
    }
    const rows = await query.execute();
    if (rows.length === 0) break;
    const sessions = new Map(rows.map((row) => [`${row.offline}:${row.id}`, toUserSession(row)]));
    const clients = await db.selectFrom('client_session').selectAll().where('user_session_id', 'in', [...new Set(rows.map((r) => r.id))]).execute();
    for (const row of clients) sessions.get(`${row.offline}:${row.user_session_id}`)?.clientSessions.set(row.client_uuid, toClientSession(row));
    await copyBatch(target, [...sessions.values()], read, written, options);
    options.progress.update(read.rows, Math.max(total, read.rows));
    const last = rows[rows.length - 1];
    after = { id: last.id, offline: last.offline };
    if (rows.length < options.batchSize) break;
  }
  options.progress.finish('sessions', read.rows);
  reports.push({ table: 'sessions', source: { rows: read.rows, checksum: read.value }, target: { rows: written.rows, checksum: written.value } });

  // Small, short-lived kinds: read at once, each written through the store's own operation.
  const now = options.nowSeconds;
  const codes = await db.selectFrom('auth_code').select('data').where('used', '=', 0).where('expires_at', '>', now).execute();
  let codesWritten = 0;
  for (const { data } of codes) {
    const code = JSON.parse(data) as AuthorizationCode;
    try {
      await target.putCode(code);
    } catch {
      // Already there from an earlier run: a code is never replaced (it may have been redeemed).
    }
    codesWritten += 1;
  }
  reports.push({ table: 'codes in flight', source: { rows: codes.length, checksum: '-' }, target: { rows: codesWritten, checksum: '-' } });
  const revoked = await db.selectFrom('revoked_token').selectAll().where('expires_at', '>', now).execute();
  for (const row of revoked) await target.revokeToken(row.jti, row.expires_at);
  const revokedAfter = new Set((await target.listRevokedTokens(now)).map((r) => r.jti));
  reports.push({ table: 'revoked tokens', source: { rows: revoked.length, checksum: '-' }, target: { rows: revoked.filter((r) => revokedAfter.has(r.jti)).length, checksum: '-' } });
  const singleUse = await db.selectFrom('single_use').selectAll().where('expires_at', '>=', now).execute();
  for (const row of singleUse) await target.claimOnce(row.key, row.expires_at, now);
  const ephemeral = await db.selectFrom('ephemeral_record').selectAll().where('expires_at', '>=', now).execute();
  let ephemeralWritten = 0;
  for (const row of ephemeral) {
    if ((await target.getEphemeral(row.key, now)) === undefined) await target.putEphemeral(row.key, row.value, row.expires_at, now);
    if ((await target.getEphemeral(row.key, now)) === row.value) ephemeralWritten += 1;
  }
  reports.push({ table: 'single-use claims', source: { rows: singleUse.length, checksum: '-' }, target: { rows: singleUse.length, checksum: '-' } });
  reports.push({ table: 'short-lived records', source: { rows: ephemeral.length, checksum: '-' }, target: { rows: ephemeralWritten, checksum: '-' } });
  return reports;
}

/** Another session store (Redis) → SQL, realm by realm through the store's paged realm listing. */
export async function copySessionsToSql(source: SessionStore, realmIds: string[], target: SessionStore, options: SessionCopyOptions): Promise<TableReport[]> {
  let total = 0;
  for (const realmId of realmIds) for (const offline of [false, true]) total += await source.countUserSessionsOfRealm(realmId, offline);
  options.progress.start('sessions', total);
  const read = new RowChecksum();
  const written = new RowChecksum();
  for (const realmId of realmIds) {
    for (const offline of [false, true]) {
      for (let first = 0; first < 1e9; first += options.batchSize) {
        const sessions = await source.listUserSessionsOfRealm(realmId, { offline, first, max: options.batchSize });
        if (sessions.length === 0) break;
        await copyBatch(target, sessions, read, written, options);
        options.progress.update(read.rows, Math.max(total, read.rows));
        if (sessions.length < options.batchSize) break;
      }
    }
  }
  options.progress.finish('sessions', read.rows);
  const revoked = await source.listRevokedTokens(options.nowSeconds);
  for (const row of revoked) await target.revokeToken(row.jti, row.expiresAt);
  const revokedAfter = new Set((await target.listRevokedTokens(options.nowSeconds)).map((r) => r.jti));
  return [
    { table: 'sessions', source: { rows: read.rows, checksum: read.value }, target: { rows: written.rows, checksum: written.value } },
    { table: 'revoked tokens', source: { rows: revoked.length, checksum: '-' }, target: { rows: revoked.filter((r) => revokedAfter.has(r.jti)).length, checksum: '-' } },
  ];
}
