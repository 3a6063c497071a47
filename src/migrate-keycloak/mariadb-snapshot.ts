/**
 * The Keycloak snapshot on MariaDB or MySQL (`mariadb://` or `mysql://` URLs): one
 * `REPEATABLE READ` read-only transaction with a consistent snapshot, as on PostgreSQL, so every
 * reader of the migration sees the same instant.
 *
 * The readers write their SQL once, for PostgreSQL; the differences Keycloak's schema and the
 * server bring are bridged here rather than in every query:
 * - Liquibase creates Keycloak's tables in upper case on MySQL-family servers and table names are
 *   case-sensitive there (on Linux): table names are mapped to the names the catalogue gives.
 *   Column names are not case-sensitive, and rows come back with lower-case keys as on PostgreSQL.
 * - Keycloak's booleans are `TINYINT(1)` columns: they come back as booleans.
 * - `$n` placeholders become `?`, PostgreSQL casts (`::int`, `::varchar[]`) go, and
 *   `= ANY($n)` over an array becomes `IN (…)`.
 */
import type { Connection, FieldPacket, QueryOptions } from 'mysql2/promise';
import { KeycloakReadError, KeycloakSchemaProblem, redactUrl, type KeycloakSnapshot, type Row } from './keycloak-snapshot.ts';

/** `$1 … $n` become `?`, in the order they appear, with their values; `= ANY($n)` takes an array. */
export function mariaDbQuery(text: string, values: unknown[] = [], tables: Map<string, string> = new Map()): { sql: string; values: unknown[] } {
  const ordered: unknown[] = [];
  const sql = splitQuoted(text)
    .map(({ quoted, part }) => {
      if (quoted) return part;
      return part
        .replace(/=\s*ANY\(\s*\$(\d+)(?:::[a-z]+(?:\[\])?)?\s*\)/gi, (_, n: string) => {
          const list = values[Number(n) - 1];
          if (!Array.isArray(list)) throw new KeycloakReadError(`= ANY($${n}) needs an array`);
          ordered.push(list.length > 0 ? list : [null]);
          return 'IN (?)';
        })
        .replace(/\$(\d+)(?:::[a-z]+(?:\[\])?)?/gi, (_, n: string) => {
          ordered.push(values[Number(n) - 1]);
          return '?';
        })
        .replace(/::(int|integer|bigint|text|varchar)\b/gi, '')
        .replace(/\b[a-z_][a-z0-9_]*\b/gi, (word) => tables.get(word.toLowerCase()) ?? word);
    })
    .join('');
  return { sql, values: ordered };
}

/** The text in pieces, string literals apart, so that nothing inside one is rewritten. */
function splitQuoted(text: string): Array<{ quoted: boolean; part: string }> {
  const pieces: Array<{ quoted: boolean; part: string }> = [];
  const literal = /'(?:[^']|'')*'/g;
  let at = 0;
  for (const match of text.matchAll(literal)) {
    pieces.push({ quoted: false, part: text.slice(at, match.index) });
    pieces.push({ quoted: true, part: match[0] });
    at = match.index! + match[0].length;
  }
  pieces.push({ quoted: false, part: text.slice(at) });
  return pieces;
}

export async function openMariaDbSnapshot(url: string): Promise<KeycloakSnapshot> {
  // Loaded on use: only this command pays for the driver.
  const mysql = await import('mysql2/promise');
  const parsed = new URL(url);
  let connection: Connection;
  try {
    connection = await mysql.createConnection({
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 3306,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
      connectTimeout: 10_000,
      // TINYINT(1) (or BIT(1)) is how Keycloak's schema stores a boolean on this family of servers.
      typeCast: (field, next) => {
        if (field.length !== 1 || (field.type !== 'TINY' && field.type !== 'BIT')) return next();
        if (field.type === 'BIT') {
          const bit = field.buffer();
          return bit === null ? null : bit[0] === 1;
        }
        const text = field.string();
        return text === null ? null : text !== '0';
      },
    });
  } catch (error) {
    throw new KeycloakSchemaProblem(`cannot connect to ${redactUrl(url)}: ${(error as Error).message}`);
  }
  connection.on('error', () => {});
  await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  const [catalogue] = (await connection.query('SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()')) as [Array<{ t: string; c: string }>, FieldPacket[]];
  const tables = new Map<string, string>();
  const columns = new Map<string, Set<string>>();
  for (const { t, c } of catalogue) {
    tables.set(t.toLowerCase(), t);
    const table = t.toLowerCase();
    if (!columns.has(table)) columns.set(table, new Set());
    columns.get(table)!.add(c.toLowerCase());
  }
  return {
    async query(text, values) {
      const { sql, values: ordered } = mariaDbQuery(text, values, tables);
      try {
        const [rows] = (await connection.query({ sql, values: ordered } satisfies QueryOptions)) as [Row[], FieldPacket[]];
        return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value])));
      } catch (error) {
        throw new KeycloakReadError(`reading Keycloak's database failed: ${(error as Error).message}`);
      }
    },
    async columns() {
      return columns;
    },
    async close() {
      try {
        await connection.query('ROLLBACK');
      } finally {
        await connection.end();
      }
    },
  };
}
