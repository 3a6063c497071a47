/**
 * Bulk seeding of stored sessions for the benchmark, straight into the store while holdfast is
 * stopped: the database generates the rows itself (`generate_series` on PostgreSQL, a recursive
 * CTE on SQLite) in one transaction, and Redis gets pipelined batches in holdfast's key layout.
 * These are background population. The sessions the hot loops use are created through the API;
 * a sample of the seeded ones gets refresh tokens minted here (HS512 with the realm's HMAC key,
 * the claims holdfast itself issues) for the cache-miss measurement, which so also checks that
 * seeded rows are sessions holdfast accepts.
 */
import { createHash, pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { KeyRing, parseKeyEncryptionKey } from '../src/crypto/index.ts';
import { realmKeyContext } from '../src/store/sql/index.ts';

export type Backend = 'sqlite' | 'postgres' | 'redis' | 'memory';

/** Where a holdfast instance under test keeps realms (always SQL) and sessions. */
export interface Stores {
  backend: Backend;
  dataDir: string;
  /** PostgreSQL URL when backend is postgres. */
  dbUrl?: string;
  /** Redis URL and key prefix when backend is redis. */
  redisUrl?: string;
  redisPrefix?: string;
}

/** What seeded rows must point at, read from the realm database after holdfast created the demo realm. */
export interface DemoRealm {
  realmId: string;
  aliceId: string;
  serviceUuid: string;
  hmac: { kid: string; secret: Buffer };
}

/** A small handle over SQLite or PostgreSQL for the few raw statements the bench needs. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
  dialect: 'sqlite' | 'postgres';
  raw: SQLite.Database | pg.Client;
}

export async function openSql(stores: Stores): Promise<Sql> {
  if (stores.backend === 'postgres') {
    const client = new pg.Client({ connectionString: stores.dbUrl });
    await client.connect();
    return {
      dialect: 'postgres',
      raw: client,
      query: async (text, params = []) => (await client.query(text, params)).rows,
      close: () => client.end(),
    };
  }
  const db = new SQLite(path.join(stores.dataDir, 'holdfast.db'));
  db.pragma('busy_timeout = 10000');
  return {
    dialect: 'sqlite',
    raw: db,
    query: async (text, params = []) => {
      const statement = db.prepare(text.replace(/\$\d+/g, '?'));
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as any[];
    },
    close: async () => void db.close(),
  };
}

/** Reads the demo realm's ids and its HMAC key, opened with the instance's key-encryption key (`<data-dir>/kek`). */
export async function readDemoRealm(sql: Sql, stores: Stores): Promise<DemoRealm> {
  const [realm] = await sql.query<{ id: string }>(`select id from realm where name = 'demo'`);
  if (!realm) throw new Error('demo realm not found: was holdfast started with --demo?');
  const [alice] = await sql.query<{ id: string }>(`select id from app_user where realm_id = $1 and username = 'alice'`, [realm.id]);
  const [service] = await sql.query<{ id: string }>(`select id from client where realm_id = $1 and client_id = 'demo-service'`, [realm.id]);
  const [key] = await sql.query<{ kid: string; material: string; kek_id: string }>(
    `select kid, material, kek_id from realm_key where realm_id = $1 and kind = 'hmac' and active = 1 order by created_at desc`,
    [realm.id],
  );
  const kekFile = path.join(stores.dataDir, 'kek');
  const keyRing = new KeyRing(parseKeyEncryptionKey(fs.readFileSync(kekFile, 'utf8'), kekFile));
  const material = keyRing.unwrap(key.kek_id, key.material, realmKeyContext(realm.id, key.kid));
  return { realmId: realm.id, aliceId: alice.id, serviceUuid: service.id, hmac: { kid: key.kid, secret: Buffer.from(material, 'base64') } };
}

/** The id of seeded session number n: the same function in JS and in SQL (md5 of tag and n). */
export const seededId = (tag: string, n: number): string => createHash('md5').update(`${tag}${n}`).digest('hex');

/** What a seeded session looks like: alice's online SSO session with one demo-service client session. */
const SEED_SCOPE = 'openid profile email';
const IDLE_SECONDS = 1800;

/** How a seeding is done: `expiresAt` for sessions already expired (the sweeper's work); `bulk` for millions of rows. */
export interface SeedOptions {
  /** Stored deadline of every seeded session; `now` + the idle timeout by default. */
  expiresAt?: number;
  /**
   * Millions of rows: on PostgreSQL the secondary indexes and the client_session foreign key are
   * dropped for the load and rebuilt after it (one sort each instead of millions of random
   * inserts); on SQLite the loading connection runs without a rollback journal or fsync. The
   * tables are ordinary logged tables afterwards, as holdfast made them.
   */
  bulk?: boolean;
}

/** Inserts `count` sessions. Returns the seconds it took. */
export async function seedSessions(stores: Stores, realm: DemoRealm, tag: string, count: number, now: number, options: SeedOptions = {}): Promise<number> {
  const started = Date.now();
  const expiresAt = options.expiresAt ?? now + IDLE_SECONDS;
  if (count > 0) {
    if (stores.backend === 'redis') await seedRedis(stores, realm, tag, count, now);
    else if (stores.backend === 'sqlite' || stores.backend === 'postgres') {
      const sql = await openSql(stores);
      try {
        if (sql.dialect === 'postgres') {
          const client = sql.raw as pg.Client;
          const load = () => seedPostgres(client, realm, tag, count, now, expiresAt);
          await (options.bulk ? withoutSecondaryIndexes(client, load) : load());
        } else seedSqlite(sql.raw as SQLite.Database, realm, tag, count, now, expiresAt, options.bulk ?? false);
      } finally {
        await sql.close();
      }
    } else throw new Error('memory sessions cannot be seeded: they are created through the API');
  }
  return (Date.now() - started) / 1000;
}

async function seedPostgres(client: pg.Client, realm: DemoRealm, tag: string, count: number, now: number, expiresAt: number): Promise<void> {
  await client.query('begin');
  await client.query(
    `insert into user_session (id, offline, realm_id, user_id, started, last_refresh, remember_me, ip_address, auth_time, expires_at)
     select md5($1 || g), 0, $2, $3, $4, $4, 0, '127.0.0.1', $4, $5 from generate_series(1, $6::int) g`,
    [tag, realm.realmId, realm.aliceId, now, expiresAt, count],
  );
  await client.query(
    `insert into client_session (user_session_id, offline, client_uuid, realm_id, started, timestamp, scope, redirect_uri, refresh_jti, refresh_uses)
     select md5($1 || g), 0, $2, $3, $4, $4, $5, null, null, 0 from generate_series(1, $6::int) g`,
    [tag, realm.serviceUuid, realm.realmId, now, SEED_SCOPE, count],
  );
  await client.query(SESSION_COUNT_BUMP.replaceAll('@realm', '$1').replaceAll('@count', '$2::bigint'), [realm.realmId, count]);
  await client.query(CLIENT_SESSION_COUNT_BUMP.replaceAll('@realm', '$1').replaceAll('@client', '$2').replaceAll('@count', '$3::bigint'), [realm.realmId, realm.serviceUuid, count]);
  await client.query('commit');
  await client.query('analyze user_session');
  await client.query('analyze client_session');
}

/** The session tables' secondary indexes and foreign keys, dropped around `load` and rebuilt from their own definitions. */
async function withoutSecondaryIndexes(client: pg.Client, load: () => Promise<void>): Promise<void> {
  const tables = ['user_session', 'client_session'];
  const indexes = (
    await client.query<{ name: string; definition: string }>(
      `select i.relname as name, pg_get_indexdef(i.oid) as definition from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       where t.relname = any($1) and not x.indisprimary and not x.indisunique`,
      [tables],
    )
  ).rows;
  const foreignKeys = (
    await client.query<{ tablename: string; name: string; definition: string }>(
      `select t.relname as tablename, c.conname as name, pg_get_constraintdef(c.oid) as definition from pg_constraint c join pg_class t on t.oid = c.conrelid
       where t.relname = any($1) and c.contype = 'f'`,
      [tables],
    )
  ).rows;
  for (const fk of foreignKeys) await client.query(`alter table ${fk.tablename} drop constraint ${fk.name}`);
  for (const index of indexes) await client.query(`drop index ${index.name}`);
  await load();
  await client.query(`set maintenance_work_mem = '1GB'`);
  for (const index of indexes) await client.query(index.definition);
  for (const fk of foreignKeys) await client.query(`alter table ${fk.tablename} add constraint ${fk.name} ${fk.definition}`);
  // Vacuumed as well as analysed: autovacuum would otherwise work through the new rows (gigabytes
  // at 10M) during the measurements that follow, which a table in steady state does not see.
  await client.query('vacuum analyze user_session');
  await client.query('vacuum analyze client_session');
}

/**
 * The kept session counters (session_count, client_session_count), raised by what a seeding
 * inserted, in its transaction, as holdfast's own writes do: the admin pages and the
 * holdfast_active_sessions gauge read them, and the sweeper lowers them.
 */
const SESSION_COUNT_BUMP = `insert into session_count (realm_id, offline, slot, count) values (@realm, 0, 0, @count)
  on conflict (realm_id, offline, slot) do update set count = session_count.count + excluded.count`;
const CLIENT_SESSION_COUNT_BUMP = `insert into client_session_count (realm_id, client_uuid, offline, slot, count) values (@realm, @client, 0, 0, @count)
  on conflict (realm_id, client_uuid, offline, slot) do update set count = client_session_count.count + excluded.count`;

function seedSqlite(db: SQLite.Database, realm: DemoRealm, tag: string, count: number, now: number, expiresAt: number, bulk: boolean): void {
  // For the load only: holdfast opens the file again with its own journal (WAL) and fsync settings.
  const journal = bulk ? String(db.pragma('journal_mode', { simple: true })) : undefined;
  if (bulk) {
    // WAL cannot be switched straight to another mode, and better-sqlite3's defensive mode refuses
    // OFF; a rollback journal in memory keeps one transaction of millions of inserts out of a WAL
    // file as large as they are (it holds only the few pages that existed before).
    db.pragma('journal_mode = delete');
    db.pragma('journal_mode = memory');
    db.pragma('synchronous = off');
    db.pragma('cache_size = -1000000');
  }
  db.function('bench_id', { deterministic: true }, (n: unknown) => seededId(tag, Number(n)));
  const series = `with recursive g(n) as (select 1 union all select n + 1 from g where n < @count)`;
  // In key order (the ids are hashes): appends to the primary keys' B-trees instead of inserts all
  // over them, which at 10M rows thrash any cache.
  db.transaction(() => {
    db.prepare(
      `${series} insert into user_session (id, offline, realm_id, user_id, started, last_refresh, remember_me, ip_address, auth_time, expires_at)
       select bench_id(n) as id, 0, @realm, @alice, @now, @now, 0, '127.0.0.1', @now, @expires from g order by id`,
    ).run({ count, realm: realm.realmId, alice: realm.aliceId, now, expires: expiresAt });
    db.prepare(
      `${series} insert into client_session (user_session_id, offline, client_uuid, realm_id, started, timestamp, scope, redirect_uri, refresh_jti, refresh_uses)
       select bench_id(n) as id, 0, @client, @realm, @now, @now, @scope, null, null, 0 from g order by id`,
    ).run({ count, client: realm.serviceUuid, realm: realm.realmId, now, scope: SEED_SCOPE });
    db.prepare(SESSION_COUNT_BUMP).run({ realm: realm.realmId, count });
    db.prepare(CLIENT_SESSION_COUNT_BUMP).run({ realm: realm.realmId, client: realm.serviceUuid, count });
  })();
  db.exec('analyze');
  if (journal) db.pragma(`journal_mode = ${journal}`);
}

/** holdfast's Redis layout (src/store/redis/redis-session-store.ts), written in pipelined batches. */
async function seedRedis(stores: Stores, realm: DemoRealm, tag: string, count: number, now: number): Promise<void> {
  const redis = new Redis(stores.redisUrl!);
  const p = stores.redisPrefix!;
  const t = (...parts: string[]) => `{${parts.map(encodeURIComponent).join(':')}}`;
  const expiresAt = now + IDLE_SECONDS;
  const fixed = JSON.stringify({ started: now, scope: SEED_SCOPE });
  const BATCH = 5000;
  try {
    for (let first = 1; first <= count; first += BATCH) {
      const pipeline = redis.pipeline();
      const last = Math.min(count, first + BATCH - 1);
      const userMembers: (string | number)[] = [];
      const expiryMembers: (string | number)[] = [];
      for (let n = first; n <= last; n++) {
        const id = seededId(tag, n);
        const us = `${p}us:${t(id)}:on`;
        const ix = `${p}ix:${t(id)}:on`;
        pipeline.hset(us, 'realmId', realm.realmId, 'userId', realm.aliceId, 'started', now, 'lastRefresh', now, 'rememberMe', 0, 'ipAddress', '127.0.0.1', 'authTime', now, 'expiresAt', expiresAt,
          `c:${realm.serviceUuid}`, fixed, `t:${realm.serviceUuid}`, now, `n:${realm.serviceUuid}`, 0);
        pipeline.expireat(us, expiresAt);
        pipeline.hset(ix, 'realmId', realm.realmId, 'userId', realm.aliceId, `c:${realm.serviceUuid}`, 1);
        pipeline.expireat(ix, expiresAt + 7 * 24 * 3600);
        userMembers.push(now, id);
        expiryMembers.push(expiresAt, `on:${id}`);
      }
      pipeline.zadd(`${p}user:${t(realm.realmId, realm.aliceId)}:on`, ...userMembers);
      pipeline.zadd(`${p}client:${t(realm.realmId, realm.serviceUuid)}:on`, ...userMembers);
      pipeline.zadd(`${p}expiry`, ...expiryMembers);
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    }
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under the prefix (SCAN + UNLINK in bounded batches). */
export async function dropRedisPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url);
  let removed = 0;
  try {
    let cursor = '0';
    for (let round = 0; round < 1_000_000; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
      if (keys.length > 0) removed += await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** Refresh tokens for seeded sessions `ns`, exactly as holdfast would have issued them at `now`. */
export async function mintRefreshTokens(realm: DemoRealm, issuer: string, tag: string, ns: number[], now: number): Promise<string[]> {
  return Promise.all(
    ns.map((n) =>
      new SignJWT({ jti: randomUUID(), iss: issuer, aud: issuer, sub: realm.aliceId, typ: 'Refresh', azp: 'demo-service', sid: seededId(tag, n), scope: SEED_SCOPE })
        .setProtectedHeader({ alg: 'HS512', typ: 'JWT', kid: realm.hmac.kid })
        .setIssuedAt(now)
        .setExpirationTime(now + IDLE_SECONDS)
        .sign(realm.hmac.secret),
    ),
  );
}

/** `count` distinct seeded session numbers in 1..population, spread at random. */
export function sampleSeeded(population: number, count: number): number[] {
  const picked = new Set<number>();
  const want = Math.min(count, population);
  for (let i = 0; picked.size < want && i < want * 20; i++) picked.add(1 + Math.floor(Math.random() * population));
  return [...picked];
}

/**
 * Turns refresh-token rotation on or off in the demo realm's stored settings (Keycloak's
 * `revokeRefreshToken`, reuse count 0). Holdfast reads realm settings when it loads the realm, so
 * this is done while it is stopped.
 */
export async function setRotation(stores: Stores, on: boolean): Promise<void> {
  const sql = await openSql(stores);
  try {
    const [row] = await sql.query<{ id: string; settings: string }>(`select id, settings from realm where name = 'demo'`);
    const settings = { ...JSON.parse(row.settings), revokeRefreshToken: on, refreshTokenMaxReuse: 0 };
    await sql.query(`update realm set settings = $1 where id = $2`, [JSON.stringify(settings), row.id]);
  } finally {
    await sql.close();
  }
}

/**
 * A second demo user, `bench`, whose password is a one-iteration PBKDF2 hash: it lets the
 * benchmark open thousands of sessions through the API (the only way to fill `--sessions memory`)
 * without paying argon2 for each. Alice keeps argon2 for the password and login scenarios.
 */
export async function addCheapUser(stores: Stores, realm: DemoRealm): Promise<{ username: string; password: string }> {
  const sql = await openSql(stores);
  const username = 'bench';
  const password = 'bench';
  try {
    const id = randomUUID();
    const now = Date.now();
    await sql.query(
      `insert into app_user (id, realm_id, username, email, first_name, last_name, enabled, email_verified, created_timestamp, attributes, required_actions, not_before, service_account_client_id)
       values ($1, $2, $3, null, null, null, 1, 0, $4, '{}', '[]', 0, null)`,
      [id, realm.realmId, username, now],
    );
    for (const { role_id } of await sql.query<{ role_id: string }>(`select role_id from user_role where user_id = $1`, [realm.aliceId])) {
      await sql.query(`insert into user_role (user_id, role_id) values ($1, $2)`, [id, role_id]);
    }
    const salt = randomBytes(16);
    const value = pbkdf2Sync(password, salt, 1, 32, 'sha256');
    await sql.query(
      `insert into credential (id, user_id, type, user_label, created_date, secret_data, credential_data, priority) values ($1, $2, 'password', null, $3, $4, $5, 10)`,
      [randomUUID(), id, now, JSON.stringify({ value: value.toString('base64'), salt: salt.toString('base64'), additionalParameters: {} }), JSON.stringify({ hashIterations: 1, algorithm: 'pbkdf2-sha256', additionalParameters: {} })],
    );
  } finally {
    await sql.close();
  }
  return { username, password };
}

/** A throwaway PostgreSQL database; `drop` removes it (and ends lingering connections). */
export async function createPostgresDatabase(adminUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Stores of one benchmark run: a fresh data directory, plus a database or key prefix of its own. */
export interface ThrowawayStores {
  stores: Stores;
  /** Drops the database, the Redis keys and the directory; returns how many Redis keys went. */
  remove(): Promise<number>;
}

export async function throwawayStores(backend: Backend, tag: string, dataDir: string): Promise<ThrowawayStores> {
  const stores: Stores = { backend, dataDir };
  let dropDatabase: (() => Promise<void>) | undefined;
  if (backend === 'postgres') {
    const database = await createPostgresDatabase(POSTGRES_ADMIN_URL, `holdfast_bench_${tag}`);
    stores.dbUrl = database.url;
    dropDatabase = database.drop;
  }
  if (backend === 'redis') {
    stores.redisUrl = REDIS_URL;
    stores.redisPrefix = `holdfast-bench-${tag}:`;
  }
  return {
    stores,
    async remove() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dropDatabase) await dropDatabase();
      return stores.redisPrefix ? dropRedisPrefix(REDIS_URL, stores.redisPrefix) : 0;
    },
  };
}
