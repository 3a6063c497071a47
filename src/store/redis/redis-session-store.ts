/**
 * SessionStore on Redis or Valkey, for the "external sessions" mode: run the server with AOF
 * (`appendfsync always` for "durable before acknowledged") and every holdfast node shares it.
 * Across two sites (master in one, replica in the other, Sentinel to promote) the store is reached
 * through Sentinel and, with `waitReplicas`, every write that must survive the master's site
 * (sessions, logouts, rotations, codes and action tokens, revocations, single-use claims,
 * ephemeral records, brute-force counters, the end of a login) is confirmed by `WAIT` before it
 * returns. Touches, the steps of a login in progress, login-attempt leases and the reaper's
 * pruning are not: losing them costs at most a shorter idle window or a restarted login, never
 * an acknowledged outcome (docs/multi-site.md).
 *
 * Layout (`p` is the key prefix, `s` is `on` or `of`):
 * - `p us:{id}:s`   hash: the user session and its client sessions; expires at `expiresAt`.
 * - `p ix:{id}:s`   hash: which index entries the session has; outlives it by a retention window
 *                   so that `removeExpired` can still prune those entries after TTL took the session.
 * - `p user:{realm:user}:s`, `p client:{realm:client}:s`   sorted sets of session ids, scored by
 *                   `started`, for the list and count queries.
 * - `p realm:{realm}:s`   sorted set of a realm's session ids, all scored 0 so that they sort by id:
 *                   the admin console's realm-wide page (ZRANGE) and count (ZCARD).
 * - `p expiry`      sorted set of `s:id`, scored by a lower bound of `expiresAt`: the reaper's work list
 *                   and the count of sessions.
 * - `p as:{id}`, `p code:{hash}`   auth sessions and codes, expiring by TTL alone.
 * - `p aso:{origin}`, `p asa:{all}`   sorted sets of auth session ids per origin and overall, scored
 *                   by creation (counters `p aso-n:{origin}`, `p asa-n:{all}`), to evict the oldest
 *                   beyond the limits. The per-origin set expires with its newest session; the
 *                   overall one is bounded by its limit. An entry can outlive its session (TTL, or
 *                   a crash between commands): it then only counts until it is evicted, a no-op.
 * - `p revoked`     sorted set of revoked access-token jtis, scored by their expiry: every node
 *                   reads it whole, so one key is the natural shape.
 * - `p once:{key}`  a claimed single-use key (claimOnce), expiring by TTL alone.
 * - `p eph:{key}`   an ephemeral record, `<expiresAt>|<value>`, expiring by TTL (liveness by the caller's clock).
 * - `p lf:{realm:user}`   hash: a user's brute-force counters; `p lfs:{realm}` set of the users
 *                   that have one, for clearing a realm. Kept until cleared, as in SQL.
 * A session and its index record share a hash tag, so every atomic step is one Lua script on one
 * slot (see session-scripts.ts). The secondary indexes cannot share it — a user's or a client's
 * sessions are spread over many slots — so they are written after the script, as separate commands.
 * The trade-off: a crash between the two leaves an index entry stale or missing until the reaper
 * passes; readers skip entries whose session is gone. `expiry` is a single key, so on a cluster it
 * pins the reaper's list to one node; touches do not write it (the reaper re-scores lazily), which
 * keeps it off the hot path.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { parseRedisAddress } from '../../config/index.ts';
import type { SessionStore } from '../../session/session-store.ts';
import type { AuthSession, AuthSessionLimits, AuthorizationCode, ClientSession, ClientSessionCounts, CodeConsumption, RealmSessionQuery, FailedLogin, LoginAttemptClaim, LoginFailure, LoginLockout, RefreshTokenUse, RefreshTokenUseOutcome, SessionTouch, UserSession } from '../../session/types.ts';
import { defineSessionScripts, type SessionScripts } from './session-scripts.ts';

export type RedisSessionStoreOptions = ({ url: string } | { client: Redis }) & {
  keyPrefix: string;
  /** How long a command, or a wait for the connection, may take before the call fails. */
  timeoutMs?: number;
  /**
   * Replicas that must confirm a write that has to survive the loss of the master (Redis `WAIT`)
   * before the call returns, and how long to wait for them; 0 (the default) does not wait.
   */
  waitReplicas?: number;
  waitTimeoutMs?: number;
};

/** Fewer replicas confirmed a write than required: the caller must not acknowledge it. */
export class ReplicasNotConfirmed extends Error {
  constructor(required: number, confirmed: number, timeoutMs: number) {
    super(`Redis WAIT: ${confirmed} of ${required} replicas confirmed the write within ${timeoutMs} ms`);
  }
}

/** How long an index record outlives its session, for a reaper that was not running. */
const INDEX_RETENTION_SECONDS = 7 * 24 * 3600;
/** Rounds of prune-and-reread when a page of a client's sessions turns up dead entries. */
const PAGE_REPAIR_ROUNDS = 3;
/** Sessions read per round trip when a search must look at every session of a realm. */
const SEARCH_BATCH = 500;
/** How long the master's count of online replicas is trusted before INFO replication is asked again. */
const REPLICA_COUNT_TTL_MS = 1000;

/** TTL of an ephemeral record: its life on the caller's clock, and a second of slack. */
const ephemeralTtl = (expiresAt: number, nowSeconds: number): number => Math.max(1, expiresAt - nowSeconds + 1);

/** The value of a stored `<expiresAt>|<value>` while it is live on the caller's clock. */
function liveEphemeral(stored: string | null, nowSeconds: number): string | undefined {
  if (stored === null) return undefined;
  const bar = stored.indexOf('|');
  return Number(stored.slice(0, bar)) >= nowSeconds ? stored.slice(bar + 1) : undefined;
}

const suffix = (offline: boolean): string => (offline ? 'of' : 'on');
const tag = (...parts: string[]): string => `{${parts.map(encodeURIComponent).join(':')}}`;

class SessionKeys {
  constructor(private readonly prefix: string) {}
  session = (id: string, offline: boolean): string => `${this.prefix}us:${tag(id)}:${suffix(offline)}`;
  index = (id: string, offline: boolean): string => `${this.prefix}ix:${tag(id)}:${suffix(offline)}`;
  ofUser = (realmId: string, userId: string, offline: boolean): string => `${this.prefix}user:${tag(realmId, userId)}:${suffix(offline)}`;
  ofRealm = (realmId: string, offline: boolean): string => `${this.prefix}realm:${tag(realmId)}:${suffix(offline)}`;
  ofClient = (realmId: string, clientUuid: string, offline: boolean): string => `${this.prefix}client:${tag(realmId, clientUuid)}:${suffix(offline)}`;
  expiry = (): string => `${this.prefix}expiry`;
  revokedTokens = (): string => `${this.prefix}revoked`;
  singleUse = (key: string): string => `${this.prefix}once:{${key}}`;
  ephemeral = (key: string): string => `${this.prefix}eph:{${key}}`;
  authSession = (id: string): string => `${this.prefix}as:${tag(id)}`;
  authSessionsOfOrigin = (origin: string): [string, string] => [`${this.prefix}aso:${tag(origin)}`, `${this.prefix}aso-n:${tag(origin)}`];
  allAuthSessions = (): [string, string] => [`${this.prefix}asa:{all}`, `${this.prefix}asa-n:{all}`];
  code = (codeHash: string): string => `${this.prefix}code:${tag(codeHash)}`;
  loginFailure = (realmId: string, userId: string): string => `${this.prefix}lf:${tag(realmId, userId)}`;
  loginFailuresOfRealm = (realmId: string): string => `${this.prefix}lfs:${tag(realmId)}`;
  loginAttempt = (realmId: string, userId: string): string => `${this.prefix}la:${tag(realmId, userId)}`;
}

const expiryMember = (id: string, offline: boolean): string => `${suffix(offline)}:${id}`;

function clientFields(cs: ClientSession): (string | number)[] {
  const fixed = JSON.stringify({ started: cs.started, scope: cs.scope, redirectUri: cs.redirectUri });
  return [cs.clientUuid, fixed, cs.timestamp, cs.refreshTokenUses, ...(cs.refreshTokenJti === undefined ? [] : [cs.refreshTokenJti])];
}

function sessionFields(s: UserSession): (string | number)[] {
  const fields: (string | number)[] = ['realmId', s.realmId, 'userId', s.userId, 'started', s.started, 'lastRefresh', s.lastRefresh];
  fields.push('rememberMe', s.rememberMe ? 1 : 0, 'ipAddress', s.ipAddress, 'authTime', s.authTime, 'expiresAt', s.expiresAt);
  if (s.userAgent !== undefined) fields.push('userAgent', s.userAgent);
  if (s.notes !== undefined) fields.push('notes', JSON.stringify(s.notes));
  for (const cs of s.clientSessions.values()) {
    const [uuid, fixed, timestamp, uses, jti] = clientFields(cs);
    fields.push(`c:${uuid}`, fixed, `t:${uuid}`, timestamp, `n:${uuid}`, uses, ...(jti === undefined ? [] : [`j:${uuid}`, jti]));
  }
  return fields;
}

function toUserSession(id: string, offline: boolean, h: Record<string, string>): UserSession | undefined {
  if (h.expiresAt === undefined) return undefined;
  const clientSessions = new Map<string, ClientSession>();
  for (const [field, value] of Object.entries(h)) {
    if (!field.startsWith('c:')) continue;
    const uuid = field.slice(2);
    const fixed = JSON.parse(value) as { started: number; scope: string; redirectUri?: string };
    clientSessions.set(uuid, {
      clientUuid: uuid,
      started: fixed.started,
      timestamp: Number(h[`t:${uuid}`]),
      scope: fixed.scope,
      redirectUri: fixed.redirectUri,
      refreshTokenJti: h[`j:${uuid}`],
      refreshTokenUses: Number(h[`n:${uuid}`]),
    });
  }
  return {
    id,
    offline,
    realmId: h.realmId,
    userId: h.userId,
    started: Number(h.started),
    lastRefresh: Number(h.lastRefresh),
    rememberMe: h.rememberMe === '1',
    ipAddress: h.ipAddress,
    authTime: Number(h.authTime),
    expiresAt: Number(h.expiresAt),
    ...(h.userAgent !== undefined ? { userAgent: h.userAgent } : {}),
    ...(h.notes !== undefined ? { notes: JSON.parse(h.notes) as Record<string, string> } : {}),
    clientSessions,
  };
}

/** A hash as returned by HGETALL inside a script (a flat field/value list), as an object. */
function fields(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
}

function toLoginFailure(h: Record<string, string>): LoginFailure {
  return {
    numFailures: Number(h.numFailures),
    numTemporaryLockouts: Number(h.numTemporaryLockouts ?? 0),
    lastFailure: Number(h.lastFailure ?? 0),
    lastIpFailure: h.lastIpFailure,
    failedLoginNotBefore: Number(h.failedLoginNotBefore ?? 0),
  };
}

/** An index record as returned by HGETALL inside a script: a flat field/value list. */
function indexEntries(flat: string[]): { realmId?: string; userId?: string; clientUuids: string[] } {
  const record: { realmId?: string; userId?: string; clientUuids: string[] } = { clientUuids: [] };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i];
    if (field === 'realmId') record.realmId = flat[i + 1];
    else if (field === 'userId') record.userId = flat[i + 1];
    else if (field.startsWith('c:')) record.clientUuids.push(field.slice(2));
  }
  return record;
}

/** Sessions put at once by putUserSessions: their commands pipeline on the one connection. */
const REDIS_PUTS_IN_FLIGHT = 64;

export class RedisSessionStore implements SessionStore {
  private client: (Redis & SessionScripts) | undefined;
  private creating: Promise<Redis & SessionScripts> | undefined;
  private readonly keys: SessionKeys;
  private readonly ownsClient: boolean;
  private readonly timeoutMs: number;
  private readyWait: Promise<void> | undefined;
  private readonly waitReplicas: number;
  private readonly waitTimeoutMs: number;
  private replicas: { count: number; readAt: number } | undefined;

  constructor(private readonly options: RedisSessionStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.waitReplicas = options.waitReplicas ?? 0;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 500;
    this.ownsClient = !('client' in options);
    if ('client' in options) this.client = this.prepare(options.client);
    this.keys = new SessionKeys(options.keyPrefix);
  }

  /** The client; every caller has awaited `connected()`, which creates it. */
  private get redis(): Redis & SessionScripts {
    return this.client!;
  }

  private prepare(client: Redis): Redis & SessionScripts {
    // Connection errors surface through the failing calls; the listener only stops ioredis
    // from reporting each reconnect attempt as an unhandled error.
    client.on('error', () => {});
    // A new connection may be to a new master (after a promotion): count its replicas afresh.
    client.on('ready', () => (this.replicas = undefined));
    return defineSessionScripts(client);
  }

  /** ioredis is loaded on first use, so a node whose sessions are not on Redis never pays for it. */
  private async createClient(url: string): Promise<Redis & SessionScripts> {
    const { Redis } = await import('ioredis');
    const options: RedisOptions = {
      // Fail fast while the server is away (callers answer 503) instead of queueing
      // requests, and keep reconnecting so the store heals without a restart.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: this.timeoutMs,
      // A WAIT blocks its connection's replies for up to its own timeout.
      commandTimeout: this.timeoutMs + (this.waitReplicas > 0 ? this.waitTimeoutMs : 0),
      retryStrategy: (attempt) => Math.min(50 * attempt, 500),
      // A master demoted under us (Sentinel fenced it after a partition) refuses writes with
      // READONLY: reconnect, which asks Sentinel for the current master. The failed call is not
      // resent: it answers 503 and the client retries.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    };
    const address = parseRedisAddress(url);
    if (address.kind === 'server') return this.prepare(new Redis(url, options));
    return this.prepare(
      new Redis({
        ...options,
        sentinels: address.sentinels,
        name: address.masterName,
        role: 'master',
        username: address.username,
        password: address.password,
        sentinelCommandTimeout: this.timeoutMs,
        // Keep asking the Sentinels while none answers: the store heals when they are back.
        sentinelRetryStrategy: (attempt) => Math.min(50 * attempt, 500),
        // Subscribed to +switch-master on the Sentinels, so a promotion moves this node to the
        // new master at once instead of when the old one's socket finally fails.
        failoverDetector: true,
      }),
    );
  }

  /**
   * After a write that must survive the loss of the master's site: wait until the replicas hold
   * everything this connection wrote so far, or fail. WAIT counts the replicas that acknowledged
   * this connection's last write offset, which covers the caller's writes because they were sent
   * on the same connection before it.
   *
   * The count asked for is `waitReplicas`, or fewer when the master has fewer replicas online at
   * all: after Sentinel promoted the other site's replica its master stands alone, and the
   * surviving site must keep serving (as a promoted PostgreSQL standby does). A replica that is
   * attached but does not confirm in time (lagging, or cut off and not yet dropped) fails the write.
   */
  private async confirmed(): Promise<void> {
    if (this.waitReplicas === 0) return;
    const wanted = Math.min(this.waitReplicas, await this.attachedReplicas());
    if (wanted === 0) return;
    const confirmed = await this.redis.wait(wanted, this.waitTimeoutMs);
    if (confirmed < wanted) throw new ReplicasNotConfirmed(wanted, confirmed, this.waitTimeoutMs);
  }

  /**
   * Replicas attached to the master now and past their initial sync (`state=online` in INFO
   * replication: one still loading the master's snapshot cannot confirm anything yet, and waiting
   * for it would refuse every write for the length of a full resync). Re-read at most once a
   * second, and on every new connection.
   */
  private async attachedReplicas(): Promise<number> {
    const now = performance.now();
    if (this.replicas === undefined || now - this.replicas.readAt > REPLICA_COUNT_TTL_MS) {
      const info = await this.redis.info('replication');
      if (!/^role:master\s*$/m.test(info)) throw new Error('Redis answered as a replica, not as the master');
      this.replicas = { count: (info.match(/^slave\d+:.*\bstate=online\b/gm) ?? []).length, readAt: now };
    }
    return this.replicas.count;
  }

  async createUserSession(session: UserSession): Promise<void> {
    await this.connected();
    const { id, offline, expiresAt } = session;
    // Entered first, so that whatever a crash leaves half-written is on the reaper's list.
    await this.redis.zadd(this.keys.expiry(), 'NX', expiresAt, expiryMember(id, offline));
    const created = await this.redis.holdfastCreateSession(
      this.keys.session(id, offline),
      this.keys.index(id, offline),
      expiresAt,
      expiresAt + INDEX_RETENTION_SECONDS,
      ...sessionFields(session),
    );
    if (created !== 1) throw new Error(`user session ${id} already exists`);
    await Promise.all([
      this.redis.zadd(this.keys.ofUser(session.realmId, session.userId, offline), session.started, id),
      this.redis.zadd(this.keys.ofRealm(session.realmId, offline), 0, id),
      ...[...session.clientSessions.keys()].map((uuid) => this.redis.zadd(this.keys.ofClient(session.realmId, uuid, offline), session.started, id)),
    ]);
    await this.confirmed();
  }

  async putUserSessions(sessions: readonly UserSession[]): Promise<void> {
    // Each session's delete and create are scripts of their own; sessions apart overlap on the connection.
    const put = async (session: UserSession) => {
      await this.deleteUserSession(session.id, session.offline);
      await this.createUserSession(session);
    };
    for (let i = 0; i < sessions.length; i += REDIS_PUTS_IN_FLIGHT) await Promise.all(sessions.slice(i, i + REDIS_PUTS_IN_FLIGHT).map(put));
  }

  async getUserSession(id: string, offline: boolean): Promise<UserSession | undefined> {
    await this.connected();
    return toUserSession(id, offline, await this.redis.hgetall(this.keys.session(id, offline)));
  }

  async putClientSession(userSessionId: string, offline: boolean, clientSession: ClientSession, expiresAt: number): Promise<boolean> {
    await this.connected();
    const parent = await this.redis.holdfastPutClientSession(
      this.keys.session(userSessionId, offline),
      this.keys.index(userSessionId, offline),
      expiresAt,
      expiresAt + INDEX_RETENTION_SECONDS,
      ...clientFields(clientSession),
    );
    if (!parent) return false;
    const [realmId, started] = parent;
    await this.redis.zadd(this.keys.ofClient(realmId, clientSession.clientUuid, offline), Number(started), userSessionId);
    await this.confirmed();
    return true;
  }

  async removeClientSession(userSessionId: string, offline: boolean, clientUuid: string): Promise<boolean> {
    await this.connected();
    const realmId = await this.redis.holdfastRemoveClientSession(this.keys.session(userSessionId, offline), clientUuid);
    if (realmId === null) return false;
    await this.redis.zrem(this.keys.ofClient(realmId, clientUuid, offline), userSessionId);
    await this.confirmed();
    return true;
  }

  async deleteUserSession(id: string, offline: boolean): Promise<boolean> {
    await this.connected();
    const [existed, index] = await this.redis.holdfastDeleteSession(this.keys.session(id, offline), this.keys.index(id, offline));
    await this.forget(id, offline, index);
    await this.confirmed();
    return existed === 1;
  }

  async deleteUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<string[]> {
    await this.connected();
    const ids = await this.redis.zrange(this.keys.ofUser(realmId, userId, offline), 0, -1);
    const deleted = await Promise.all(ids.map((id) => this.deleteUserSession(id, offline)));
    return ids.filter((_, i) => deleted[i]);
  }

  async touch(touches: SessionTouch[]): Promise<void> {
    if (touches.length === 0) return;
    await this.connected();
    await Promise.all(
      touches.map((t) =>
        this.redis.holdfastTouchSession(
          this.keys.session(t.userSessionId, t.offline),
          this.keys.index(t.userSessionId, t.offline),
          t.lastRefresh,
          t.expiresAt,
          t.expiresAt + INDEX_RETENTION_SECONDS,
          ...(t.clientUuid !== undefined && t.clientTimestamp !== undefined ? [t.clientUuid, t.clientTimestamp] : []),
        ),
      ),
    );
  }

  async listUserSessionsOfUser(realmId: string, userId: string, offline: boolean): Promise<UserSession[]> {
    await this.connected();
    const indexKey = this.keys.ofUser(realmId, userId, offline);
    const { live, dead } = await this.load(await this.redis.zrange(indexKey, 0, -1), offline, () => true);
    if (dead.length > 0) await this.redis.zrem(indexKey, ...dead);
    return live;
  }

  async listUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean, first: number, max: number): Promise<UserSession[]> {
    if (max <= 0) return [];
    await this.connected();
    const indexKey = this.keys.ofClient(realmId, clientUuid, offline);
    // Entries whose session is gone (TTL, or a crash between script and index write) are pruned
    // and the page read again, a bounded number of times; the reaper removes the rest.
    for (let round = 1; ; round += 1) {
      const ids = await this.redis.zrange(indexKey, first, first + max - 1);
      const { live, dead } = await this.load(ids, offline, (s) => s.clientSessions.has(clientUuid));
      if (dead.length === 0 || round === PAGE_REPAIR_ROUNDS) return live;
      await this.redis.zrem(indexKey, ...dead);
    }
  }

  async countUserSessionsOfClient(realmId: string, clientUuid: string, offline: boolean): Promise<number> {
    await this.connected();
    return this.redis.zcard(this.keys.ofClient(realmId, clientUuid, offline));
  }

  async countUserSessionsPerClient(realmId: string, clientUuids: readonly string[]): Promise<Map<string, ClientSessionCounts>> {
    const counts = new Map<string, ClientSessionCounts>();
    if (clientUuids.length === 0) return counts;
    await this.connected();
    // Each client's index has a key (and hash slot) of its own: one pipeline, one round trip.
    const pipeline = this.redis.pipeline();
    for (const clientUuid of clientUuids) for (const offline of [false, true]) pipeline.zcard(this.keys.ofClient(realmId, clientUuid, offline));
    const replies = (await pipeline.exec()) ?? [];
    clientUuids.forEach((clientUuid, i) => {
      const [online, offline] = [replies[2 * i], replies[2 * i + 1]].map((reply) => {
        if (!reply || reply[0]) throw reply?.[0] ?? new Error('Redis pipeline: missing reply');
        return Number(reply[1]);
      });
      if (online > 0 || offline > 0) counts.set(clientUuid, { online, offline });
    });
    return counts;
  }

  async countUserSessions(): Promise<number> {
    await this.connected();
    return this.redis.zcard(this.keys.expiry());
  }

  async listUserSessionsOfRealm(realmId: string, query: RealmSessionQuery): Promise<UserSession[]> {
    if (query.max <= 0) return [];
    await this.connected();
    const kinds = query.offline === undefined ? [false, true] : [query.offline];
    const page: UserSession[] = [];
    let skip = query.first;
    for (const offline of kinds) {
      const want = query.max - page.length;
      if (want <= 0) break;
      const found = query.search ? await this.searchRealm(realmId, offline, query.search, skip + want) : await this.realmPage(realmId, offline, skip, want);
      const all = query.search ? found.slice(skip) : found;
      // What this kind held before the page starts is skipped in the next kind.
      skip = Math.max(0, skip - (query.search ? found.length : await this.redis.zcard(this.keys.ofRealm(realmId, offline))));
      page.push(...all.slice(0, want));
    }
    return page;
  }

  async countUserSessionsOfRealm(realmId: string, offline: boolean): Promise<number> {
    await this.connected();
    return this.redis.zcard(this.keys.ofRealm(realmId, offline));
  }

  /** One page of a realm's sessions of a kind, pruning entries whose session is gone (as the client listing does). */
  private async realmPage(realmId: string, offline: boolean, first: number, max: number): Promise<UserSession[]> {
    const indexKey = this.keys.ofRealm(realmId, offline);
    for (let round = 1; ; round += 1) {
      const { live, dead } = await this.load(await this.redis.zrange(indexKey, first, first + max - 1), offline, () => true);
      if (dead.length === 0 || round === PAGE_REPAIR_ROUNDS) return live;
      await this.redis.zrem(indexKey, ...dead);
    }
  }

  /**
   * The first `limit` sessions of a kind that match a search, in id order. Users' sessions come
   * from their indexes; an IP prefix has no index here, so the realm's sessions are read in
   * batches until enough are found (linear in the realm's sessions: the README says so).
   */
  private async searchRealm(realmId: string, offline: boolean, search: NonNullable<RealmSessionQuery['search']>, limit: number): Promise<UserSession[]> {
    const byId = new Map<string, UserSession>();
    for (const userId of search.userIds) {
      for (const session of (await this.load(await this.redis.zrange(this.keys.ofUser(realmId, userId, offline), 0, -1), offline, () => true)).live) byId.set(session.id, session);
    }
    if (search.ipPrefix !== '') {
      const indexKey = this.keys.ofRealm(realmId, offline);
      const total = await this.redis.zcard(indexKey);
      for (let start = 0; start < total; start += SEARCH_BATCH) {
        const { live } = await this.load(await this.redis.zrange(indexKey, start, start + SEARCH_BATCH - 1), offline, (s) => s.ipAddress.startsWith(search.ipPrefix));
        for (const session of live) byId.set(session.id, session);
      }
    }
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, limit);
  }

  async useRefreshToken(userSessionId: string, offline: boolean, clientUuid: string, use: RefreshTokenUse): Promise<RefreshTokenUseOutcome> {
    await this.connected();
    const outcome = await this.redis.holdfastUseRefreshToken(this.keys.session(userSessionId, offline), clientUuid, use.jti, use.issuedAt, use.now, use.maxReuse);
    await this.confirmed();
    return outcome;
  }

  async createAuthSession(session: AuthSession, limits: AuthSessionLimits): Promise<number> {
    await this.connected();
    await this.redis.set(this.keys.authSession(session.id), JSON.stringify(session), 'EXAT', session.expiresAt);
    // The indexes live on other slots than the session: separate scripts, each atomic on its own.
    const [ofOrigin, ofOriginCounter] = this.keys.authSessionsOfOrigin(session.origin);
    const [all, allCounter] = this.keys.allAuthSessions();
    const evictedOfOrigin = await this.redis.holdfastIndexAuthSession(ofOrigin, ofOriginCounter, session.id, limits.perOrigin, session.expiresAt);
    const evictedOverall = await this.redis.holdfastIndexAuthSession(all, allCounter, session.id, limits.total, '');
    if (evictedOfOrigin.length > 0) await this.redis.zrem(all, ...evictedOfOrigin);
    const evicted = [...new Set([...evictedOfOrigin, ...evictedOverall])];
    if (evicted.length === 0) return 0;
    const removed = await Promise.all(evicted.map((id) => this.redis.del(this.keys.authSession(id))));
    return removed.reduce((sum, n) => sum + n, 0);
  }

  async putAuthSession(session: AuthSession): Promise<void> {
    await this.connected();
    await this.redis.set(this.keys.authSession(session.id), JSON.stringify(session), 'EXAT', session.expiresAt);
  }

  async getAuthSession(id: string): Promise<AuthSession | undefined> {
    await this.connected();
    const json = await this.redis.get(this.keys.authSession(id));
    return json === null ? undefined : (JSON.parse(json) as AuthSession);
  }

  async deleteAuthSession(id: string): Promise<void> {
    await this.connected();
    const json = await this.redis.getdel(this.keys.authSession(id));
    if (json === null) return;
    // Out of the indexes too, so a finished login no longer counts against its origin's limit.
    const { origin } = JSON.parse(json) as AuthSession;
    if (typeof origin === 'string') await this.redis.zrem(this.keys.authSessionsOfOrigin(origin)[0], id);
    await this.redis.zrem(this.keys.allAuthSessions()[0], id);
    // A finished login must not come back on the promoted replica, where its browser could resume it.
    await this.confirmed();
  }

  async putCode(code: AuthorizationCode): Promise<void> {
    await this.connected();
    const stored = await this.redis.holdfastPutCode(this.keys.code(code.codeHash), code.expiresAt, JSON.stringify(code));
    if (stored !== 1) throw new Error('authorization code already stored');
    await this.confirmed();
  }

  async consumeCode(codeHash: string): Promise<CodeConsumption> {
    await this.connected();
    const result = await this.redis.holdfastConsumeCode(this.keys.code(codeHash));
    await this.confirmed();
    if (result === null) return { outcome: 'unknown' };
    const [consumed, data] = result;
    return { outcome: consumed === 1 ? 'consumed' : 'reused', code: JSON.parse(data) as AuthorizationCode };
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    await this.connected();
    await this.redis.zadd(this.keys.revokedTokens(), 'NX', expiresAt, jti);
    await this.confirmed();
  }

  async claimOnce(key: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    await this.connected();
    const ttl = Math.max(1, expiresAt - nowSeconds + 1);
    const claimed = (await this.redis.set(this.keys.singleUse(key), '1', 'EX', ttl, 'NX')) === 'OK';
    await this.confirmed();
    return claimed;
  }

  async putEphemeral(key: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    await this.connected();
    const stored = (await this.redis.holdfastPutEphemeral(this.keys.ephemeral(key), nowSeconds, `${expiresAt}|${value}`, ephemeralTtl(expiresAt, nowSeconds))) === 1;
    await this.confirmed();
    return stored;
  }

  async getEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    await this.connected();
    return liveEphemeral(await this.redis.get(this.keys.ephemeral(key)), nowSeconds);
  }

  async replaceEphemeral(key: string, expected: string, value: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    await this.connected();
    const stored = `${expiresAt}|${value}`;
    const replaced = (await this.redis.holdfastReplaceEphemeral(this.keys.ephemeral(key), nowSeconds, expected, stored, ephemeralTtl(expiresAt, nowSeconds))) === 1;
    await this.confirmed();
    return replaced;
  }

  async takeEphemeral(key: string, nowSeconds: number): Promise<string | undefined> {
    await this.connected();
    const taken = await this.redis.holdfastTakeEphemeral(this.keys.ephemeral(key));
    await this.confirmed();
    return liveEphemeral(taken, nowSeconds);
  }

  async deleteEphemeral(key: string): Promise<void> {
    await this.connected();
    await this.redis.del(this.keys.ephemeral(key));
    await this.confirmed();
  }

  async listRevokedTokens(nowSeconds: number): Promise<Array<{ jti: string; expiresAt: number }>> {
    await this.connected();
    const flat = await this.redis.zrangebyscore(this.keys.revokedTokens(), nowSeconds, '+inf', 'WITHSCORES');
    const revoked: Array<{ jti: string; expiresAt: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) revoked.push({ jti: flat[i], expiresAt: Number(flat[i + 1]) });
    return revoked;
  }

  async getLoginFailure(realmId: string, userId: string): Promise<LoginFailure | undefined> {
    await this.connected();
    const hash = await this.redis.hgetall(this.keys.loginFailure(realmId, userId));
    return hash.numFailures === undefined ? undefined : toLoginFailure(hash);
  }

  async recordLoginFailure(realmId: string, userId: string, failure: FailedLogin): Promise<{ failure: LoginFailure; previousFailure: number }> {
    await this.connected();
    const [previous, flat] = await this.redis.holdfastRecordLoginFailure(
      this.keys.loginFailure(realmId, userId),
      failure.atMs,
      failure.ipAddress,
      failure.resetAfterMs ?? '',
    );
    // The realm's list of users with failures (another slot), for clearing a whole realm.
    await this.redis.sadd(this.keys.loginFailuresOfRealm(realmId), userId);
    await this.confirmed();
    return { failure: toLoginFailure(fields(flat)), previousFailure: Number(previous) };
  }

  async lockLoginFailure(realmId: string, userId: string, lockout: LoginLockout): Promise<LoginFailure | undefined> {
    await this.connected();
    const flat = await this.redis.holdfastLockLoginFailure(
      this.keys.loginFailure(realmId, userId),
      lockout.notBefore,
      lockout.countLockout ? 1 : 0,
      lockout.maxLockouts ?? '',
    );
    await this.confirmed();
    return flat === null ? undefined : toLoginFailure(fields(flat));
  }

  async claimLoginAttempt(realmId: string, userId: string, claim: LoginAttemptClaim): Promise<boolean> {
    await this.connected();
    // SET NX with a TTL: the key's expiry is the lease, so a lapsed claim is simply gone.
    const ttlMs = Math.max(1, claim.untilMs - claim.nowMs);
    return (await this.redis.set(this.keys.loginAttempt(realmId, userId), claim.holder, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async releaseLoginAttempt(realmId: string, userId: string, holder: string): Promise<void> {
    await this.connected();
    await this.redis.holdfastReleaseLoginAttempt(this.keys.loginAttempt(realmId, userId), holder);
  }

  async deleteLoginFailures(realmId: string, userId?: string): Promise<void> {
    await this.connected();
    const ofRealm = this.keys.loginFailuresOfRealm(realmId);
    if (userId !== undefined) {
      await this.redis.del(this.keys.loginFailure(realmId, userId));
      await this.redis.srem(ofRealm, userId);
      await this.confirmed();
      return;
    }
    // Bounded by the realm's users with failures on record; SSCAN pages keep each call small.
    let cursor = '0';
    do {
      const [next, userIds] = await this.redis.sscan(ofRealm, cursor, 'COUNT', 500);
      await Promise.all(userIds.map((id) => this.redis.del(this.keys.loginFailure(realmId, id))));
      cursor = next;
    } while (cursor !== '0');
    await this.redis.del(ofRealm);
    await this.confirmed();
  }

  /**
   * Auth sessions and codes go by TTL alone; revoked jtis, at most `limit` a call. User sessions mostly do too; what is left is their
   * entries in the index sets, pruned here at most `limit` sessions per call. A session the
   * caller's clock already counts as expired is deleted even if its TTL has not fired.
   */
  async removeExpired(nowSeconds: number, limit: number): Promise<number> {
    await this.connected();
    const revoked = await this.redis.zrangebyscore(this.keys.revokedTokens(), '-inf', `(${nowSeconds}`, 'LIMIT', 0, limit);
    const revokedRemoved = revoked.length > 0 ? await this.redis.zrem(this.keys.revokedTokens(), ...revoked) : 0;
    const candidates = await this.redis.zrangebyscore(this.keys.expiry(), '-inf', `(${nowSeconds}`, 'LIMIT', 0, limit);
    const outcomes = await Promise.all(
      candidates.map(async (member) => {
        const offline = member.startsWith('of:');
        const id = member.slice(3);
        const reaped = await this.redis.holdfastReapSession(this.keys.session(id, offline), this.keys.index(id, offline), nowSeconds);
        if (reaped[0] === 0) {
          // Touched since it was listed: move it to its real deadline.
          await this.redis.zadd(this.keys.expiry(), 'XX', reaped[1], member);
          return 0;
        }
        await this.forget(id, offline, reaped[1]);
        return 1;
      }),
    );
    return outcomes.reduce<number>((sum, n) => sum + n, revokedRemoved);
  }

  async ping(): Promise<void> {
    await this.connected();
    await this.redis.ping();
  }

  async replicaConfirmation(): Promise<{ required: number; online: number }> {
    await this.connected();
    return { required: this.waitReplicas, online: this.waitReplicas === 0 ? 0 : await this.attachedReplicas() };
  }

  async close(): Promise<void> {
    if (!this.ownsClient || !this.client) return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  /** Removes a gone session's index entries, then the record of them, then its place on the reaper's list. */
  private async forget(id: string, offline: boolean, flatIndex: string[]): Promise<void> {
    const { realmId, userId, clientUuids } = indexEntries(flatIndex);
    if (realmId !== undefined) {
      await Promise.all([
        ...(userId === undefined ? [] : [this.redis.zrem(this.keys.ofUser(realmId, userId, offline), id)]),
        this.redis.zrem(this.keys.ofRealm(realmId, offline), id),
        ...clientUuids.map((uuid) => this.redis.zrem(this.keys.ofClient(realmId, uuid, offline), id)),
      ]);
    }
    await this.redis.del(this.keys.index(id, offline));
    await this.redis.zrem(this.keys.expiry(), expiryMember(id, offline));
  }

  /** Reads sessions by id, in the given order; ids whose session is gone or fails `keep` come back as dead. */
  private async load(ids: string[], offline: boolean, keep: (s: UserSession) => boolean): Promise<{ live: UserSession[]; dead: string[] }> {
    const hashes = await Promise.all(ids.map((id) => this.redis.hgetall(this.keys.session(id, offline))));
    const live: UserSession[] = [];
    const dead: string[] = [];
    ids.forEach((id, i) => {
      const session = toUserSession(id, offline, hashes[i]);
      if (session && keep(session)) live.push(session);
      else dead.push(id);
    });
    return { live, dead };
  }

  /**
   * With the offline queue off, a command sent while the socket is down fails at once; this waits
   * (at most `timeoutMs`) for a connection in progress, so a call made right after start or during
   * a reconnect succeeds when the server is there and fails fast when it is not.
   */
  private async connected(): Promise<void> {
    if (!this.client && 'url' in this.options) {
      this.creating ??= this.createClient(this.options.url);
      this.client = await this.creating;
    }
    if (this.redis.status === 'ready') return;
    if (this.redis.status === 'wait') this.redis.connect().catch(() => {});
    this.readyWait ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        this.readyWait = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onReady = (): void => settle();
      const timer = setTimeout(() => settle(new Error(`Redis not reachable (connection ${this.redis.status})`)), this.timeoutMs);
      this.redis.on('ready', onReady);
    });
    await this.readyWait;
  }
}
