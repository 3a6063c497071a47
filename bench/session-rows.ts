/**
 * Bulk session rows for the store benchmarks (bench:admin-sessions, bench:migrate-store): the
 * database makes them itself from a series 1..N in one transaction, since inserting a million
 * rows one statement at a time would take longer than the measurement.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { SqlDatabase } from '../src/store/sql/index.ts';

export interface SessionRowsShape {
  sessions: number;
  realm: string;
  /** Users the sessions are spread over. */
  users: number;
  /** Client UUIDs; each session has one client session, of client n mod clients.length. */
  clients: string[];
  /** One session in `offlineEvery` is offline. */
  offlineEvery: number;
}

/**
 * Rows made by the database from a series 1..N: ids sort in a different order than they were
 * made, users and IPs repeat, one client session each (client by n mod 3). Returns the seconds taken.
 */
export async function seedSessionRows(database: SqlDatabase, shape: SessionRowsShape): Promise<number> {
  const started = performance.now();
  const { dialect } = database;
  // Constants inlined: better-sqlite3 binds numbers as REAL, and 'user-' || 1.0 is not a user id.
  const now = Math.floor(Date.now() / 1000);
  const lit = (value: number) => sql.lit(value);
  const series =
    dialect === 'sqlite'
      ? sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${lit(shape.sessions)}) SELECT n FROM g`
      : sql`SELECT generate_series(1, ${lit(shape.sessions)}) AS n`;
  const id = dialect === 'sqlite' ? sql`printf('%08x-%d', (n * 2654435761) % 4294967296, n)` : sql`lpad(to_hex((n::bigint * 2654435761) % 4294967296), 8, '0') || '-' || n`;
  // Integer division on both: n is an integer column.
  const ip = sql`'10.' || (n % 256) || '.' || ((n / 256) % 256) || '.' || ((n / 65536) % 256)`;
  const offline = sql`CASE WHEN n % ${lit(shape.offlineEvery)} = 0 THEN 1 ELSE 0 END`;
  const client = sql`CASE n % ${lit(shape.clients.length)} ${sql.join(
    shape.clients.map((c, i) => sql`WHEN ${lit(i)} THEN ${c}`),
    sql` `,
  )} END`;
  await database.db.transaction().execute(async (tx) => {
    await sql`INSERT INTO user_session (id, offline, realm_id, user_id, started, last_refresh, remember_me, ip_address, auth_time, expires_at)
      SELECT ${id}, ${offline}, ${shape.realm}, 'user-' || (n % ${lit(shape.users)}), ${lit(now)} - (n % 3600), ${lit(now)}, n % 2, ${ip}, ${lit(now)}, ${lit(now + 86_400)}
      FROM (${series}) s`.execute(tx);
    await sql`INSERT INTO client_session (user_session_id, offline, client_uuid, realm_id, started, timestamp, scope, refresh_uses)
      SELECT ${id}, ${offline}, ${client}, ${shape.realm}, ${lit(now)}, ${lit(now)}, 'openid', 0
      FROM (${series}) s`.execute(tx);
    // As migrations 021 and 031 count what they find: the seed bypasses the store, so it sets the counters too.
    await sql`DELETE FROM session_count`.execute(tx);
    await sql`INSERT INTO session_count (realm_id, offline, slot, count) SELECT realm_id, offline, 0, count(*) FROM user_session GROUP BY realm_id, offline`.execute(tx);
    await sql`DELETE FROM client_session_count`.execute(tx);
    await sql`INSERT INTO client_session_count (realm_id, client_uuid, offline, slot, count)
      SELECT realm_id, client_uuid, offline, 0, count(*) FROM client_session GROUP BY realm_id, client_uuid, offline`.execute(tx);
  });
  // Fresh statistics, as a database that grew to this size would have.
  await sql`ANALYZE`.execute(database.db);
  return (performance.now() - started) / 1000;
}
