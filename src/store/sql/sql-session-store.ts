/**
 * SessionStore on SQL (SQLite or PostgreSQL). Statements are single-row and keyed by primary key
 * so concurrent writers never deadlock: sliding times only move forward (`max`), and rotation is
 * one conditional UPDATE (compare-and-set) instead of read-modify-write.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, UserSessionTable, ClientSessionTable, LoginFailureTable } from './schema.ts';
import { CountChanges } from './session-counts.ts';
import { CompiledOnce } from './compiled-once.ts';
import type { SessionStore } from '../../session/session-store.ts';
import type { AuthSession, AuthSessionLimits, AuthorizationCode, ClientSession, ClientSessionCounts, CodeConsumption, RealmSessionQuery, FailedLogin, LoginAttemptClaim, LoginFailure, LoginLockout, RefreshTokenUse, RefreshTokenUseOutcome, SessionTouch, UserSession } from '../../session/types.ts';

const flag = (value: boolean): number => (value ? 1 : 0);

type RotationParam = 'jti' | 'issuedAt' | 'now' | 'maxReuse' | 'userSessionId' | 'offline' | 'clientUuid';

type ClientSessionColumns = Omit<ClientSessionTable, 'user_session_id' | 'offline' | 'realm_id'>;

export function toClientSession(row: ClientSessionColumns): ClientSession {
  return {
    clientUuid: row.client_uuid,
    started: row.started,
    timestamp: row.timestamp,
    scope: row.scope,
    redirectUri: row.redirect_uri ?? undefined,
    refreshTokenJti: row.refresh_jti ?? undefined,
    refreshTokenUses: row.refresh_uses,
  };
}

export function toUserSession(row: Selectable<UserSessionTable>): UserSession {
  return {
    id: row.id,
    offline: row.offline === 1,
    realmId: row.realm_id,
    userId: row.user_id,
    started: row.started,
    lastRefresh: row.last_refresh,
    rememberMe: row.remember_me === 1,
    ipAddress: row.ip_address,
    authTime: row.auth_time,
    expiresAt: row.expires_at,
    ...(row.user_agent !== null && row.user_agent !== undefined ? { userAgent: row.user_agent } : {}),
    ...(typeof row.notes === 'string' ? { notes: JSON.parse(row.notes) as Record<string, string> } : {}),
    clientSessions: new Map(),
  };
}

function userSessionRow(session: UserSession): UserSessionTable {
  return {
    id: session.id,
    offline: flag(session.offline),
    realm_id: session.realmId,
    user_id: session.userId,
    started: session.started,
    last_refresh: session.lastRefresh,
    remember_me: flag(session.rememberMe),
    ip_address: session.ipAddress,
    auth_time: session.authTime,
    expires_at: session.expiresAt,
    user_agent: session.userAgent ?? null,
    notes: session.notes ? JSON.stringify(session.notes) : null,
  };
}

/**
 * Rows per multi-row statement: 12 columns each stays far below SQLite's 32,766 bound parameters
 * and PostgreSQL's 65,535, and the statement text stays small.
 */
const ROWS_PER_STATEMENT = 500;

function clientSessionRow(userSessionId: string, offline: boolean, realmId: string, cs: ClientSession): ClientSessionTable {
  return {
    user_session_id: userSessionId,
    offline: flag(offline),
    client_uuid: cs.clientUuid,
    realm_id: realmId,
    started: cs.started,
    timestamp: cs.timestamp,
    scope: cs.scope,
    redirect_uri: cs.redirectUri ?? null,
    refresh_jti: cs.refreshTokenJti ?? null,
    refresh_uses: cs.refreshTokenUses,
  };
}

function authSessionRow(session: AuthSession) {
  return { id: session.id, realm_id: session.realmId, origin: session.origin, created_at: session.createdAt, expires_at: session.expiresAt, tabs: JSON.stringify(session.tabs) };
}

function toLoginFailure(row: Selectable<LoginFailureTable>): LoginFailure {
  return {
    numFailures: row.num_failures,
    numTemporaryLockouts: row.num_temporary_lockouts,
    lastFailure: Number(row.last_failure),
    lastIpFailure: row.last_ip_failure ?? undefined,
    failedLoginNotBefore: Number(row.failed_login_not_before),
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order in which every multi-row write takes its row locks: user session, then client. */
function byRowKey(a: SessionTouch, b: SessionTouch): number {
  return compare(a.userSessionId, b.userSessionId) || Number(a.offline) - Number(b.offline) || compare(a.clientUuid ?? '', b.clientUuid ?? '');
}

/**
 * Deletes user sessions of one kind with their client sessions, recording what went in `changes`,
 * and returns the ids that went. The user sessions are locked first, by an UPDATE that changes
 * nothing: that is the lock order of touch and putClientSession, and while the lock is held no
 * client session can be added. The client sessions are then deleted explicitly (not by cascade)
 * so that their clients are known and counted, then the user sessions. With `expiredBefore`, only
 * sessions still lapsed under the lock go (a touch may have extended one since it was listed).
 */
async function deleteSessionRows(tx: Transaction<Database>, ids: string[], offline: number, changes: CountChanges, expiredBefore?: number): Promise<string[]> {
  let lock = tx.updateTable('user_session').set({ expires_at: sql`expires_at` }).where('id', 'in', ids).where('offline', '=', offline);
  if (expiredBefore !== undefined) lock = lock.where('expires_at', '<', expiredBefore);
  const parents = await lock.returning(['id', 'realm_id']).execute();
  if (parents.length === 0) return [];
  const gone = parents.map((p) => p.id);
  const children = await tx
    .deleteFrom('client_session')
    .where('user_session_id', 'in', gone)
    .where('offline', '=', offline)
    .returning(['user_session_id', 'client_uuid', 'realm_id'])
    .execute();
  await tx.deleteFrom('user_session').where('id', 'in', gone).where('offline', '=', offline).execute();
  for (const p of parents) changes.userSession(p.realm_id, offline, p.id, -1);
  for (const c of children) changes.clientSession(c.realm_id, c.client_uuid, offline, c.user_session_id, -1);
  return gone;
}

/**
 * Above every string that starts with a prefix (IP addresses are ASCII): a prefix search as a range,
 * which both databases answer on the (realm_id, ip_address) index, where LIKE would not always.
 */
const PREFIX_END = '\uffff';

export class SqlSessionStore implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Rotation's compare-and-set, the one store write of a rotating refresh: compiled once
   * (compiled-once.ts). One UPDATE decides and writes (SET expressions all see the row as it
   * was). A refused use leaves the jti alone and (when stale) the count too, so the returned row
   * tells the outcome: another jti = stale; the count beyond maxReuse + 1 = exceeded (refusals
   * are counted too).
   */
  private readonly rotation = new CompiledOnce<RotationParam, { refresh_jti: string | null; refresh_uses: number }>((param) => {
    const jti = param<string>('jti');
    const maxReuse = param<number>('maxReuse');
    // PostgreSQL infers a parameter's type from its first use; bigint times say so explicitly.
    const issuedAt = sql`CAST(${param('issuedAt')} AS bigint)`;
    const now = sql`CAST(${param('now')} AS bigint)`;
    const stale = sql<boolean>`(refresh_jti IS NOT NULL AND refresh_jti <> ${jti} AND ${issuedAt} < timestamp)`;
    const accepted = sql<boolean>`(NOT ${stale} AND (refresh_jti IS NULL OR refresh_jti <> ${jti} OR refresh_uses <= ${maxReuse}))`;
    return this.db
      .updateTable('client_session')
      .set({
        refresh_jti: sql`CASE WHEN ${stale} THEN refresh_jti ELSE ${jti} END`,
        refresh_uses: sql`CASE WHEN ${stale} THEN refresh_uses WHEN refresh_jti = ${jti} THEN refresh_uses + 1 ELSE 1 END`,
        timestamp: sql`CASE WHEN ${accepted} AND timestamp < ${now} THEN ${now} ELSE timestamp END`,
      })
      .where('user_session_id', '=', param<string>('userSessionId'))
      .where('offline', '=', param<number>('offline'))
      .where('client_uuid', '=', param<string>('clientUuid'))
      .returning(['refresh_jti', 'refresh_uses']);
  });

  async createUserSession(session: UserSession): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('user_session').values(userSessionRow(session)).execute();
      const rows = [...session.clientSessions.values()].map((cs) => clientSessionRow(session.id, session.offline, session.realmId, cs));
      if (rows.length > 0) await tx.insertInto('client_session').values(rows).execute();
      const changes = new CountChanges();
      changes.userSession(session.realmId, flag(session.offline), session.id, 1);
      for (const row of rows) changes.clientSession(session.realmId, row.client_uuid, row.offline, session.id, 1);
      await changes.apply(tx);
    });
  }

  async putUserSessions(sessions: readonly UserSession[]): Promise<void> {
    if (sessions.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const changes = new CountChanges();
      for (const offline of [0, 1]) {
        const ids = sessions.filter((s) => flag(s.offline) === offline).map((s) => s.id);
        for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) await deleteSessionRows(tx, ids.slice(i, i + ROWS_PER_STATEMENT), offline, changes);
      }
      const userRows = sessions.map(userSessionRow);
      const clientRows = sessions.flatMap((s) => [...s.clientSessions.values()].map((cs) => clientSessionRow(s.id, s.offline, s.realmId, cs)));
      for (let i = 0; i < userRows.length; i += ROWS_PER_STATEMENT) await tx.insertInto('user_session').values(userRows.slice(i, i + ROWS_PER_STATEMENT)).execute();
      for (let i = 0; i < clientRows.length; i += ROWS_PER_STATEMENT) await tx.insertInto('client_session').values(clientRows.slice(i, i + ROWS_PER_STATEMENT)).execute();
      for (const s of sessions) changes.userSession(s.realmId, flag(s.offline), s.id, 1);
      for (const row of clientRows) changes.clientSession(row.realm_id, row.client_uuid, row.offline, row.user_session_id, 1);
      await changes.apply(tx);
    });
  }

  async getUserSession(id: string, offline: boolean): Promise<UserSession | undefined> {
    // One round trip: the user session with its client sessions joined on.
    const rows = await this.db
      .selectFrom('user_session as us')
      .leftJoin('client_session as cs', (join) => join.onRef('cs.user_session_id', '=', 'us.id').onRef('cs.offline', '=', 'us.offline'))
      .selectAll('us')
      .select([
        'cs.client_uuid',
        'cs.started as cs_started',
        'cs.timestamp as cs_timestamp',
        'cs.scope as cs_scope',
        'cs.redirect_uri as cs_redirect_uri',
        'cs.refresh_jti as cs_refresh_jti',
        'cs.refresh_uses as cs_refresh_uses',
      ])
      .where('us.id', '=', id)
      .where('us.offline', '=', flag(offline))
      .execute();
    if (rows.length === 0) return undefined;
    const session = toUserSession(rows[0]);
    for (const row of rows) {
      if (row.client_uuid === null) continue;
      session.clientSessions.set(
        row.client_uuid,
        toClientSession({
          client_uuid: row.client_uuid,
          started: row.cs_started!,
          timestamp: row.cs_timestamp!,
          scope: row.cs_scope!,
          redirect_uri: row.cs_redirect_uri,
          refresh_jti: row.cs_refresh_jti,
          refresh_uses: row.cs_refresh_uses!,
        }),
      );
    }
    return session;
  }

  async putClientSession(userSessionId: string, offline: boolean, clientSession: ClientSession, expiresAt: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const parent = await tx
        .updateTable('user_session')
        .set({ expires_at: sql`CASE WHEN expires_at > ${expiresAt} THEN expires_at ELSE ${expiresAt} END` })
        .where('id', '=', userSessionId)
        .where('offline', '=', flag(offline))
        .returning('realm_id')
        .executeTakeFirst();
      if (!parent) return false;
      const row = clientSessionRow(userSessionId, offline, parent.realm_id, clientSession);
      // Insert or replace, told apart because only a new client session counts. No other writer
      // can add this one meanwhile: they all lock the user session first, as the UPDATE above did.
      const inserted = await tx
        .insertInto('client_session')
        .values(row)
        .onConflict((oc) => oc.columns(['user_session_id', 'offline', 'client_uuid']).doNothing())
        .returning('client_uuid')
        .executeTakeFirst();
      if (inserted) {
        const changes = new CountChanges();
        changes.clientSession(parent.realm_id, row.client_uuid, row.offline, userSessionId, 1);
        await changes.apply(tx);
        return true;
      }
      await tx
        .updateTable('client_session')
        .set({ started: row.started, timestamp: row.timestamp, scope: row.scope, redirect_uri: row.redirect_uri, refresh_jti: row.refresh_jti, refresh_uses: row.refresh_uses })
        .where('user_session_id', '=', userSessionId)
        .where('offline', '=', row.offline)
        .where('client_uuid', '=', row.client_uuid)
        .execute();
      return true;
    });
  }

  async removeClientSession(userSessionId: string, offline: boolean, clientUuid: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const removed = await tx
        .deleteFrom('client_session')
        .where('user_session_id', '=', userSessionId)
        .where('offline', '=', flag(offline))
        .where('client_uuid', '=', clientUuid)
        .returning('realm_id')
        .executeTakeFirst();
      if (!removed) return false;
      const changes = new CountChanges();
      changes.clientSession(removed.realm_id, clientUuid, flag(offline), userSessionId, -1);
      await changes.apply(tx);
      return true;
    });
  }

  async deleteUserSession(id: string, offline: boolean): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const changes = new CountChanges();
      const gone = await deleteSessionRows(tx, [id], flag(offline), changes);
      await tx.deleteFrom('auth_code').where('user_session_id', '=', id).execute();
      await changes.apply(tx);
      return gone.length > 0;
    });
  }

  async deleteUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<string[]> {
    return this.db.transaction().execute(async (tx) => {
      const ids = (
        await tx
          .selectFrom('user_session')
          .select('id')
          .where('realm_id', '=', realmId)
          .where('user_id', '=', userId)
          .where('offline', '=', flag(offline))
          .execute()
      ).map((row) => row.id);
      // One session at a time in touch's order (see byRowKey): a multi-row statement would lock
      // in the database's own order and could deadlock against a touch batch.
      const changes = new CountChanges();
      for (const id of [...ids].sort(compare)) await deleteSessionRows(tx, [id], flag(offline), changes);
      await changes.apply(tx);
      return ids;
    });
  }

  async touch(touches: SessionTouch[]): Promise<void> {
    if (touches.length === 0) return;
    // Rows are locked in one global order, so two batches over the same sessions cannot deadlock.
    const ordered = [...touches].sort(byRowKey);
    await this.db.transaction().execute(async (tx) => {
      for (const t of ordered) {
        await tx
          .updateTable('user_session')
          .set({
            last_refresh: sql`CASE WHEN last_refresh > ${t.lastRefresh} THEN last_refresh ELSE ${t.lastRefresh} END`,
            expires_at: sql`CASE WHEN expires_at > ${t.expiresAt} THEN expires_at ELSE ${t.expiresAt} END`,
          })
          .where('id', '=', t.userSessionId)
          .where('offline', '=', flag(t.offline))
          .execute();
        if (t.clientUuid !== undefined && t.clientTimestamp !== undefined) {
          await tx
            .updateTable('client_session')
            .set({ timestamp: sql`CASE WHEN timestamp > ${t.clientTimestamp} THEN timestamp ELSE ${t.clientTimestamp} END` })
            .where('user_session_id', '=', t.userSessionId)
            .where('offline', '=', flag(t.offline))
            .where('client_uuid', '=', t.clientUuid)
            .execute();
        }
      }
    });
  }

  private async withClientSessions(sessions: UserSession[]): Promise<UserSession[]> {
    if (sessions.length === 0) return sessions;
    const byKey = new Map(sessions.map((s) => [`${s.id}/${flag(s.offline)}`, s]));
    const rows = await this.db
      .selectFrom('client_session')
      .selectAll()
      .where(
        'user_session_id',
        'in',
        sessions.map((s) => s.id),
      )
      .execute();
    for (const row of rows) byKey.get(`${row.user_session_id}/${row.offline}`)?.clientSessions.set(row.client_uuid, toClientSession(row));
    return sessions;
  }

  async listUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<UserSession[]> {
    const rows = await this.db
      .selectFrom('user_session')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('user_id', '=', userId)
      .where('offline', '=', flag(offline))
      .orderBy('started')
      .execute();
    return this.withClientSessions(rows.map(toUserSession));
  }

  async listUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean, first: number, max: number): Promise<UserSession[]> {
    const rows = await this.db
      .selectFrom('user_session as us')
      .innerJoin('client_session as cs', (join) => join.onRef('cs.user_session_id', '=', 'us.id').onRef('cs.offline', '=', 'us.offline'))
      .selectAll('us')
      .where('cs.client_uuid', '=', clientUuid)
      .where('cs.offline', '=', flag(offline))
      .where('us.realm_id', '=', realmId)
      .orderBy('us.started')
      .orderBy('us.id')
      .offset(first)
      .limit(max)
      .execute();
    return this.withClientSessions(rows.map(toUserSession));
  }

  async countUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean): Promise<number> {
    const row = await this.db
      .selectFrom('client_session_count')
      .select((eb) => eb.fn.sum<number>('count').as('count'))
      .where('realm_id', '=', realmId)
      .where('client_uuid', '=', clientUuid)
      .where('offline', '=', flag(offline))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async countUserSessionsPerClient(realmId: string, clientUuids: readonly string[]): Promise<Map<string, ClientSessionCounts>> {
    // One query on the primary key's (realm_id, client_uuid, offline) prefix: every kept count
    // of the realm, its slots summed; the realm's clients are not listed in it (a realm may have
    // thousands), only kept from the answer.
    const rows = await this.db
      .selectFrom('client_session_count')
      .select(['client_uuid', 'offline', (eb) => eb.fn.sum<number>('count').as('count')])
      .where('realm_id', '=', realmId)
      .groupBy(['client_uuid', 'offline'])
      .execute();
    const wanted = new Set(clientUuids);
    const counts = new Map<string, ClientSessionCounts>();
    for (const row of rows) {
      const n = Number(row.count);
      if (n === 0 || !wanted.has(row.client_uuid)) continue;
      const entry = counts.get(row.client_uuid) ?? { online: 0, offline: 0 };
      if (row.offline) entry.offline = n;
      else entry.online = n;
      counts.set(row.client_uuid, entry);
    }
    return counts;
  }

  /** From the kept counts: the metrics gauge asks on every scrape, and count(*) of 10M rows is a scan of them. */
  async countUserSessions(): Promise<number> {
    const row = await this.db
      .selectFrom('session_count')
      .select((eb) => eb.fn.sum<number>('count').as('count'))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async listUserSessionsOfRealm(realmId: string, query: RealmSessionQuery): Promise<UserSession[]> {
    if (query.max <= 0) return [];
    const { search, first, max } = query;
    const ofRealm = () => {
      const select = this.db.selectFrom('user_session').selectAll().where('realm_id', '=', realmId);
      return query.offline === undefined ? select : select.where('offline', '=', flag(query.offline));
    };
    if (!search) {
      const rows = await ofRealm().orderBy('offline').orderBy('id').offset(first).limit(max).execute();
      return this.withClientSessions(rows.map(toUserSession));
    }
    // Each half of the search on its own index (an OR would walk the whole realm), merged here:
    // each half's first `first + max` rows hold the merged page.
    const upTo = first + max;
    const [ofUsers, fromAddresses] = await Promise.all([
      search.userIds.length === 0 ? [] : ofRealm().where('user_id', 'in', search.userIds).orderBy('offline').orderBy('id').limit(upTo).execute(),
      search.ipPrefix === ''
        ? []
        : ofRealm().where('ip_address', '>=', search.ipPrefix).where('ip_address', '<', search.ipPrefix + PREFIX_END).orderBy('offline').orderBy('id').limit(upTo).execute(),
    ]);
    const merged = new Map([...ofUsers, ...fromAddresses].map((row) => [`${row.offline}/${row.id}`, row]));
    const page = [...merged.values()].sort((a, b) => a.offline - b.offline || compare(a.id, b.id)).slice(first, upTo);
    return this.withClientSessions(page.map(toUserSession));
  }

  async countUserSessionsOfRealm(realmId: string, offline: boolean): Promise<number> {
    const row = await this.db
      .selectFrom('session_count')
      .select((eb) => eb.fn.sum<number>('count').as('count'))
      .where('realm_id', '=', realmId)
      .where('offline', '=', flag(offline))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, use: RefreshTokenUse): Promise<RefreshTokenUseOutcome> {
    const { rows } = await this.rotation.run(this.db, {
      jti: use.jti,
      issuedAt: use.issuedAt,
      now: use.now,
      maxReuse: use.maxReuse,
      userSessionId,
      offline: flag(offline),
      clientUuid,
    });
    const row = rows[0];
    if (!row) return 'missing';
    if (row.refresh_jti !== use.jti) return 'stale';
    return row.refresh_uses > use.maxReuse + 1 ? 'exceeded' : 'ok';
  }

  async createAuthSession(session: AuthSession, limits: AuthSessionLimits): Promise<number> {
    // The sequence number is max + 1 (on the index): writers on SQLite are serialised; concurrent
    // writers on PostgreSQL may draw the same number, which makes the overall bound approximate by
    // the number of creations in flight (the per-origin one stays exact).
    const inserted = await this.db
      .insertInto('auth_session')
      .values({
        ...authSessionRow(session),
        seq: sql<number>`(SELECT COALESCE(MAX(seq), 0) + 1 FROM auth_session)`,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const seq = Number(inserted.seq);
    // Every creation trims after its insert, so once all creations have returned, the last trim
    // has seen every insert and the bounds hold.
    // The newest `perOrigin` by (seq, id) stay; the id breaks ties between equal numbers.
    const boundary = sql`(SELECT seq, id FROM auth_session WHERE origin = ${session.origin} ORDER BY seq DESC, id DESC LIMIT 1 OFFSET ${limits.perOrigin - 1})`;
    const ofOrigin = await this.db
      .deleteFrom('auth_session')
      .where('origin', '=', session.origin)
      .where(sql<boolean>`(seq, id) < ${boundary}`)
      .executeTakeFirst();
    const overall = await this.db.deleteFrom('auth_session').where('seq', '<=', seq - limits.total).executeTakeFirst();
    return Number(ofOrigin.numDeletedRows) + Number(overall.numDeletedRows);
  }

  async putAuthSession(session: AuthSession): Promise<void> {
    const row = authSessionRow(session);
    await this.db
      .insertInto('auth_session')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ tabs: row.tabs, expires_at: row.expires_at }))
      .execute();
  }

  async getAuthSession(id: string): Promise<AuthSession | undefined> {
    const row = await this.db.selectFrom('auth_session').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return { id: row.id, realmId: row.realm_id, origin: row.origin, createdAt: row.created_at, expiresAt: row.expires_at, tabs: JSON.parse(row.tabs) };
  }

  async deleteAuthSession(id: string): Promise<void> {
    await this.db.deleteFrom('auth_session').where('id', '=', id).execute();
  }

  async putCode(code: AuthorizationCode): Promise<void> {
    await this.db
      .insertInto('auth_code')
      .values({
        code_hash: code.codeHash,
        realm_id: code.realmId,
        user_session_id: code.userSessionId,
        data: JSON.stringify(code),
        expires_at: code.expiresAt,
        used: 0,
      })
      .execute();
  }

  async consumeCode(codeHash: string): Promise<CodeConsumption> {
    // The conditional UPDATE is the single-use guarantee: one writer flips `used`, every other sees 0 rows.
    const flipped = await this.db.updateTable('auth_code').set({ used: 1 }).where('code_hash', '=', codeHash).where('used', '=', 0).executeTakeFirst();
    const row = await this.db.selectFrom('auth_code').select('data').where('code_hash', '=', codeHash).executeTakeFirst();
    if (!row) return { outcome: 'unknown' };
    const code = JSON.parse(row.data) as AuthorizationCode;
    return Number(flipped.numUpdatedRows) > 0 ? { outcome: 'consumed', code } : { outcome: 'reused', code };
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('revoked_token')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  async listRevokedTokens(nowSeconds: number): Promise<Array<{ jti: string; expiresAt: number }>> {
    const rows = await this.db.selectFrom('revoked_token').selectAll().where('expires_at', '>=', nowSeconds).execute();
    return rows.map((r) => ({ jti: r.jti, expiresAt: r.expires_at }));
  }

  async claimOnce(key: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    // One statement: a fresh key inserts, a lapsed one is taken over, a live one returns no row.
    const row = await this.db
      .insertInto('single_use')
      .values({ key, expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }).where('single_use.expires_at', '<', nowSeconds))
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async putEphemeral(key: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    // Like claimOnce: a new key inserts, a lapsed record is replaced, a live one returns no row.
    const row = await this.db
      .insertInto('ephemeral_record')
      .values({ key, value, expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, expires_at: expiresAt }).where('ephemeral_record.expires_at', '<', nowSeconds))
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async getEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('ephemeral_record').select('value').where('key', '=', key).where('expires_at', '>=', nowSeconds).executeTakeFirst();
    return row?.value;
  }

  async replaceEphemeral(key: string, expected: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    const result = await this.db
      .updateTable('ephemeral_record')
      .set({ value, expires_at: expiresAt })
      .where('key', '=', key)
      .where('value', '=', expected)
      .where('expires_at', '>=', nowSeconds)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async takeEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    // One DELETE … RETURNING: of concurrent takers only the one whose delete removed the row sees it.
    const row = await this.db.deleteFrom('ephemeral_record').where('key', '=', key).returning(['value', 'expires_at']).executeTakeFirst();
    return row && Number(row.expires_at) >= nowSeconds ? row.value : undefined;
  }

  async deleteEphemeral(key: string): Promise<void> {
    await this.db.deleteFrom('ephemeral_record').where('key', '=', key).execute();
  }

  async getLoginFailure(realmId: string, userId: string): Promise<LoginFailure | undefined> {
    const row = await this.db.selectFrom('login_failure').selectAll().where('realm_id', '=', realmId).where('user_id', '=', userId).executeTakeFirst();
    return row && toLoginFailure(row);
  }

  async recordLoginFailure(realmId: string, userId: string, failure: FailedLogin): Promise<{ failure: LoginFailure; previousFailure: number }> {
    const { ipAddress, resetAfterMs } = failure;
    const atMs = sql`CAST(${failure.atMs} AS bigint)`;
    // Keycloak clears every counter (the failure times too) when the previous failure is too old.
    const reset =
      resetAfterMs === undefined
        ? sql<boolean>`(1 = 0)`
        : sql<boolean>`(login_failure.last_failure > 0 AND ${atMs} - login_failure.last_failure > CAST(${resetAfterMs} AS bigint))`;
    const row = await this.db
      .insertInto('login_failure')
      .values({
        realm_id: realmId,
        user_id: userId,
        num_failures: 1,
        num_temporary_lockouts: 0,
        last_failure: failure.atMs,
        last_ip_failure: ipAddress,
        failed_login_not_before: 0,
        previous_failure: 0,
      })
      .onConflict((oc) =>
        oc.columns(['realm_id', 'user_id']).doUpdateSet({
          num_failures: sql`CASE WHEN ${reset} THEN 1 ELSE login_failure.num_failures + 1 END`,
          num_temporary_lockouts: sql`CASE WHEN ${reset} THEN 0 ELSE login_failure.num_temporary_lockouts END`,
          failed_login_not_before: sql`CASE WHEN ${reset} THEN 0 ELSE login_failure.failed_login_not_before END`,
          last_failure: sql`CASE WHEN ${reset} THEN 0 ELSE ${atMs} END`,
          last_ip_failure: sql`CASE WHEN ${reset} THEN NULL ELSE CAST(${ipAddress} AS varchar(64)) END`,
          previous_failure: sql`login_failure.last_failure`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { failure: toLoginFailure(row), previousFailure: Number(row.previous_failure) };
  }

  async lockLoginFailure(realmId: string, userId: string, lockout: LoginLockout): Promise<LoginFailure | undefined> {
    const { countLockout, maxLockouts } = lockout;
    const notBefore = sql`CAST(${lockout.notBefore} AS bigint)`;
    const lockouts = sql<number>`(num_temporary_lockouts + ${countLockout ? 1 : 0})`;
    const allowed = maxLockouts === undefined ? sql<boolean>`(1 = 1)` : sql<boolean>`(${lockouts} <= ${maxLockouts})`;
    const row = await this.db
      .updateTable('login_failure')
      .set({
        num_temporary_lockouts: lockouts,
        failed_login_not_before: sql`CASE WHEN ${allowed} AND failed_login_not_before < ${notBefore} THEN ${notBefore} ELSE failed_login_not_before END`,
      })
      .where('realm_id', '=', realmId)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    return row && toLoginFailure(row);
  }

  async deleteLoginFailures(realmId: string, userId?: string): Promise<void> {
    let query = this.db.deleteFrom('login_failure').where('realm_id', '=', realmId);
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    await query.execute();
  }

  async claimLoginAttempt(realmId: string, userId: string, claim: LoginAttemptClaim): Promise<boolean> {
    // One statement: an insert, or a take-over of a lapsed claim; a live claim returns no row.
    const row = await this.db
      .insertInto('login_attempt')
      .values({ realm_id: realmId, user_id: userId, holder: claim.holder, expires_at_ms: claim.untilMs })
      .onConflict((oc) =>
        oc
          .columns(['realm_id', 'user_id'])
          .doUpdateSet({ holder: claim.holder, expires_at_ms: claim.untilMs })
          .where('login_attempt.expires_at_ms', '<=', claim.nowMs),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === claim.holder;
  }

  async releaseLoginAttempt(realmId: string, userId: string, holder: string): Promise<void> {
    await this.db.deleteFrom('login_attempt').where('realm_id', '=', realmId).where('user_id', '=', userId).where('holder', '=', holder).execute();
  }

  async removeExpired(nowSeconds: number, limit: number): Promise<number> {
    let removed = 0;
    // Oldest first, so each batch is a range scan of user_session_expiry whatever share of the
    // table has expired: without the order PostgreSQL seq-scans when most rows match (a backlog
    // of millions), reading past every live row before the first expired one.
    const expired = await this.db.selectFrom('user_session').select(['id', 'offline']).where('expires_at', '<', nowSeconds).orderBy('expires_at').limit(limit).execute();
    for (const offline of [0, 1]) {
      const ids = expired.filter((s) => s.offline === offline).map((s) => s.id);
      if (ids.length === 0) continue;
      const gone = await this.db.transaction().execute(async (tx) => {
        const changes = new CountChanges();
        const deleted = await deleteSessionRows(tx, ids, offline, changes, nowSeconds);
        await changes.apply(tx);
        return deleted.length;
      });
      removed += gone;
    }
    const authSessions = await this.db.selectFrom('auth_session').select('id').where('expires_at', '<', nowSeconds).limit(limit).execute();
    if (authSessions.length > 0) {
      const result = await this.db.deleteFrom('auth_session').where('id', 'in', authSessions.map((r) => r.id)).executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    const revoked = await this.db.selectFrom('revoked_token').select('jti').where('expires_at', '<', nowSeconds).limit(limit).execute();
    if (revoked.length > 0) {
      const result = await this.db.deleteFrom('revoked_token').where('jti', 'in', revoked.map((r) => r.jti)).executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    const singleUse = await this.db.selectFrom('single_use').select('key').where('expires_at', '<', nowSeconds).limit(limit).execute();
    if (singleUse.length > 0) {
      const result = await this.db
        .deleteFrom('single_use')
        .where('key', 'in', singleUse.map((r) => r.key))
        .where('expires_at', '<', nowSeconds)
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    const ephemeral = await this.db.selectFrom('ephemeral_record').select('key').where('expires_at', '<', nowSeconds).limit(limit).execute();
    if (ephemeral.length > 0) {
      const result = await this.db
        .deleteFrom('ephemeral_record')
        .where('key', 'in', ephemeral.map((r) => r.key))
        .where('expires_at', '<', nowSeconds)
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    const codes = await this.db.selectFrom('auth_code').select('code_hash').where('expires_at', '<', nowSeconds).limit(limit).execute();
    if (codes.length > 0) {
      const result = await this.db.deleteFrom('auth_code').where('code_hash', 'in', codes.map((r) => r.code_hash)).executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    // Claims left by a node that died mid-check; claims that end normally delete themselves.
    const lapsedMs = nowSeconds * 1000;
    const claims = await this.db.selectFrom('login_attempt').select(['realm_id', 'user_id']).where('expires_at_ms', '<', lapsedMs).limit(limit).execute();
    for (const claim of claims) {
      const result = await this.db
        .deleteFrom('login_attempt')
        .where('realm_id', '=', claim.realm_id)
        .where('user_id', '=', claim.user_id)
        .where('expires_at_ms', '<', lapsedMs)
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    // The database handle belongs to whoever opened it.
  }
}
