/**
 * `npm run bench:admin-sessions`: the admin console's sessions page at a million stored sessions
 * (issue #15.4). Seeds 1,000,000 user sessions (5 % offline, each with one client session) into
 * a SQLite file and into a PostgreSQL database of its own, in bulk (the database generates the
 * rows), then measures what the page asks the store for through SqlSessionStore, the code the
 * server runs: the first page with the total count, a page deep in the list, a search by user and
 * one by IP prefix, and the per-client counts of `client-session-stats` (as six count calls, and
 * as the one countUserSessionsPerClient the route makes). Prints a table (p50/p99,
 * ms) and writes bench/results/<date>-admin-sessions.json and .md.
 * Options: --sessions N (default 1000000), --rounds N (default 50), --label TEXT (added to the
 * file names and the heading, e.g. `under-load`, so a run beside another does not replace it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqlDatabase, SqlSessionStore, type SqlDatabase } from '../src/store/sql/index.ts';
import { freshDatabase } from '../test/support/postgres.ts';
import { ROOT } from './server.ts';
import { seedSessionRows } from './session-rows.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const SESSIONS = option('sessions', 1_000_000);
const ROUNDS = option('rounds', 50);
const LABEL = args.includes('--label') ? args[args.indexOf('--label') + 1] : undefined;
if (LABEL !== undefined && !/^[a-z0-9-]+$/.test(LABEL)) throw new Error(`--label: lower-case letters, digits and dashes, got '${LABEL}'`);
const REALM = 'bench-realm';
const USERS = 20_000;
const CLIENTS = ['client-web', 'client-mobile', 'client-cli'];
/** One session in twenty is offline, as offline_access is the exception. */
const OFFLINE_EVERY = 20;

async function seed(database: SqlDatabase): Promise<number> {
  return seedSessionRows(database, { sessions: SESSIONS, realm: REALM, users: USERS, clients: CLIENTS, offlineEvery: OFFLINE_EVERY });
}

interface Row {
  backend: string;
  query: string;
  p50: number;
  p99: number;
  result: string;
}

async function measure(backend: string, query: string, work: () => Promise<unknown>): Promise<Row> {
  let result: unknown;
  for (let i = 0; i < 3; i++) result = await work();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    result = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2));
  return { backend, query, p50: at(0.5), p99: at(0.99), result: String(result) };
}

async function scenarios(backend: string, store: SqlSessionStore): Promise<Row[]> {
  const rows: Row[] = [];
  const total = async (): Promise<number> => (await store.countUserSessionsOfRealm(REALM, false)) + (await store.countUserSessionsOfRealm(REALM, true));
  rows.push(
    await measure(backend, 'first page (10, all kinds) + total count', async () => {
      const [page, count] = await Promise.all([store.listUserSessionsOfRealm(REALM, { first: 0, max: 10 }), total()]);
      return `${page.length} rows, ${count} total`;
    }),
  );
  rows.push(await measure(backend, 'first page (100, online)', async () => `${(await store.listUserSessionsOfRealm(REALM, { offline: false, first: 0, max: 100 })).length} rows`));
  rows.push(await measure(backend, 'offline page (10) + offline count', async () => `${(await store.listUserSessionsOfRealm(REALM, { offline: true, first: 0, max: 10 })).length} rows, ${await store.countUserSessionsOfRealm(REALM, true)} total`));
  rows.push(await measure(backend, 'page at first=10000 (10)', async () => `${(await store.listUserSessionsOfRealm(REALM, { first: 10_000, max: 10 })).length} rows`));
  rows.push(
    await measure(backend, 'search by username (1 user)', async () => `${(await store.listUserSessionsOfRealm(REALM, { search: { userIds: ['user-4242'], ipPrefix: 'user-4242' }, first: 0, max: 10 })).length} rows`),
  );
  rows.push(await measure(backend, 'search by IP prefix 10.7.3.', async () => `${(await store.listUserSessionsOfRealm(REALM, { search: { userIds: [], ipPrefix: '10.7.3.' }, first: 0, max: 10 })).length} rows`));
  rows.push(await measure(backend, 'session-count (1 client, online)', async () => String(await store.countUserSessionsOfClient(REALM, CLIENTS[0], false))));
  rows.push(
    await measure(backend, `client-session-stats, ${CLIENTS.length} clients x 2 kinds as 6 count calls (before)`, async () => {
      const counts = await Promise.all(CLIENTS.flatMap((client) => [false, true].map((offline) => store.countUserSessionsOfClient(REALM, client, offline))));
      return counts.join('/');
    }),
  );
  rows.push(
    await measure(backend, `client-session-stats, ${CLIENTS.length} clients in one countUserSessionsPerClient`, async () => {
      const counts = await store.countUserSessionsPerClient(REALM, CLIENTS);
      return CLIENTS.flatMap((client) => [counts.get(client)?.online ?? 0, counts.get(client)?.offline ?? 0]).join('/');
    }),
  );
  return rows;
}

async function runSqlite(): Promise<{ rows: Row[]; seedSeconds: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-admin-sessions-'));
  const database = await openSqlDatabase({ dialect: 'sqlite', dataDir });
  try {
    const seedSeconds = await seed(database);
    return { rows: await scenarios('sqlite', new SqlSessionStore(database.db)), seedSeconds };
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runPostgres(): Promise<{ rows: Row[]; seedSeconds: number }> {
  const fresh = await freshDatabase('holdfast_bench_admin_sessions');
  const database = await openSqlDatabase({ dialect: 'postgres', url: fresh.url, poolSize: 4 });
  try {
    const seedSeconds = await seed(database);
    return { rows: await scenarios('postgres', new SqlSessionStore(database.db)), seedSeconds };
  } finally {
    await database.close();
    await fresh.drop();
  }
}

const sqlite = await runSqlite();
console.log(`sqlite: seeded ${SESSIONS} sessions in ${sqlite.seedSeconds.toFixed(1)} s`);
const postgres = await runPostgres();
console.log(`postgres: seeded ${SESSIONS} sessions in ${postgres.seedSeconds.toFixed(1)} s`);
const rows = [...sqlite.rows, ...postgres.rows];
console.table(rows);

const date = new Date().toISOString().slice(0, 10);
const base = path.join(ROOT, 'bench/results', `${date}-admin-sessions${LABEL === undefined ? '' : `-${LABEL}`}`);
const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), shared with other work`;
fs.writeFileSync(`${base}.json`, `${JSON.stringify({ date, label: LABEL, sessions: SESSIONS, rounds: ROUNDS, machine, seedSeconds: { sqlite: sqlite.seedSeconds, postgres: postgres.seedSeconds }, rows }, null, 2)}\n`);
const table = ['| backend | query | p50 ms | p99 ms | result |', '|---|---|---:|---:|---|', ...rows.map((r) => `| ${r.backend} | ${r.query} | ${r.p50} | ${r.p99} | ${r.result} |`)].join('\n');
fs.writeFileSync(
  `${base}.md`,
  `# Admin sessions page at ${SESSIONS.toLocaleString('en')} sessions (${date}${LABEL === undefined ? '' : `, ${LABEL.replace(/-/g, ' ')}`})\n\nStore queries of the sessions page through SqlSessionStore, ${ROUNDS} rounds each after 3 warm-up rounds; ${machine}.\nSeeding: SQLite ${sqlite.seedSeconds.toFixed(1)} s, PostgreSQL ${postgres.seedSeconds.toFixed(1)} s.\n\n${table}\n`,
);
console.log(`wrote ${base}.json and .md`);
