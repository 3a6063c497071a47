/**
 * `npm run bench:migrate-store`: the write pause of a cut-over between stores (issue 17.2). Seeds
 * N user sessions (5 % offline, one client session each) into an embedded data directory, then
 * times `holdfast migrate-store` as an operator runs it — a separate process, verification at the
 * end included — for each path: SQLite → PostgreSQL, PostgreSQL → SQLite and SQLite → Redis
 * (sessions). That run time is the pause: no node may write to the source while it runs.
 * Writes bench/results/<date>-migrate-store.json and .md.
 * Options: --sessions N (default 100000; several sizes: --sessions 100000,1000000), --batch-size N,
 * --paths sqlite-postgres,postgres-sqlite,sqlite-redis (the default: all three).
 * Rows of other sizes measured the same day stay in the results.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqlDatabase } from '../src/store/sql/index.ts';
import { freshDatabase } from '../test/support/postgres.ts';
import { buildBundle } from '../test/support/process.ts';
import { deleteRedisKeys } from '../test/support/redis-keys.ts';
import { ROOT } from './server.ts';
import { seedSessionRows } from './session-rows.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const SIZES = option('sessions', '100000').split(',').map(Number);
const BATCH = option('batch-size', '1000');
const PATHS = option('paths', 'sqlite-postgres,postgres-sqlite,sqlite-redis').split(',');
const REDIS_URL = 'redis://127.0.0.1:6379';

interface Row {
  sessions: number;
  path: string;
  pauseSeconds: number;
  sessionsPerSecond: number;
  verified: boolean;
}

async function migrateStore(bundle: string, from: string, to: string): Promise<{ seconds: number; output: string; code: number | null }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bundle, 'migrate-store', '--from', from, '--to', to, '--batch-size', BATCH], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_600_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { seconds: (performance.now() - started) / 1000, output, code };
}

async function measure(bundle: string, sessions: number): Promise<Row[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-bench-migrate-'));
  const source = path.join(work, 'source');
  const back = path.join(work, 'back');
  const prefix = `holdfast-bench-migrate-${process.pid}:`;
  const pg = await freshDatabase('holdfast_bench_migrate');
  const rows: Row[] = [];
  try {
    const database = await openSqlDatabase({ dialect: 'sqlite', dataDir: source });
    const seedSeconds = await seedSessionRows(database, { sessions, realm: 'bench-realm', users: 20_000, clients: ['client-web', 'client-mobile', 'client-cli'], offlineEvery: 20 });
    await database.close();
    console.log(`seeded ${sessions.toLocaleString('en')} sessions into SQLite in ${seedSeconds.toFixed(1)} s`);
    const paths: Array<[string, string, string, string]> = [
      ['sqlite-postgres', 'SQLite → PostgreSQL (every table)', `sqlite:${source}`, pg.url],
      // From the PostgreSQL copy just made: this path needs the one before it.
      ['postgres-sqlite', 'PostgreSQL → SQLite (every table)', pg.url, `sqlite:${back}`],
      ['sqlite-redis', 'SQLite → Redis (sessions)', `sqlite:${source}`, `${REDIS_URL}?prefix=${encodeURIComponent(prefix)}`],
    ];
    for (const [key, name, from, to] of paths) {
      if (!PATHS.includes(key)) continue;
      const run = await migrateStore(bundle, from, to);
      const verified = run.code === 0 && /the target matches the source/.test(run.output);
      if (!verified) console.error(run.output);
      const row = { sessions, path: name, pauseSeconds: Number(run.seconds.toFixed(1)), sessionsPerSecond: Math.round(sessions / run.seconds), verified };
      console.log(row);
      rows.push(row);
    }
  } finally {
    await pg.drop();
    await deleteRedisKeys(REDIS_URL, prefix);
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

const bundle = await buildBundle();
if (!bundle) throw new Error('esbuild is needed to bundle holdfast for the benchmark');
const rows: Row[] = [];
for (const size of SIZES) rows.push(...(await measure(bundle, size)));
console.table(rows);

const date = new Date().toISOString().slice(0, 10);
const base = path.join(ROOT, 'bench/results', `${date}-migrate-store`);
// Sizes measured earlier the same day are kept, so a long size can be run on its own.
if (fs.existsSync(`${base}.json`)) {
  const earlier = (JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as { rows: Row[] }).rows.filter((row) => !(SIZES.includes(row.sessions) && rows.some((now) => now.sessions === row.sessions && now.path === row.path)));
  rows.unshift(...earlier);
  rows.sort((a, b) => a.sessions - b.sessions);
}
const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), shared with other work`;
fs.writeFileSync(`${base}.json`, `${JSON.stringify({ date, batchSize: Number(BATCH), machine, rows }, null, 2)}\n`);
const table = ['| sessions | path | pause (s) | sessions/s | verified |', '|---:|---|---:|---:|---|', ...rows.map((r) => `| ${r.sessions.toLocaleString('en')} | ${r.path} | ${r.pauseSeconds} | ${r.sessionsPerSecond.toLocaleString('en')} | ${r.verified ? 'counts and checksums match' : 'FAILED'} |`)].join('\n');
fs.writeFileSync(
  `${base}.md`,
  `# migrate-store write pause (${date})\n\nThe run time of \`holdfast migrate-store\` (a separate process, batches of ${BATCH}, the comparison of counts and checksums at the end included): the cut-over's write pause, during which no node writes to the source. Each session has one client session; 5 % are offline. ${machine}.\n\n${table}\n`,
);
console.log(`wrote ${base}.json and .md`);
