/**
 * `npm run bench:scale`: millions of stored sessions (issue 18, items 3 and 4). Per backend and
 * size it seeds, while holdfast is stopped, `--sessions` sessions already expired (the sweeper's
 * work) and a live set beside them in the same tables (what the refreshes use), then:
 *
 *  A. restarts holdfast (pinned to CPU 0, sweeper off) and times restart-to-ready; sends
 *     first-touch (cache-miss) refreshes to never-touched live sessions, one at a time and 8 at a
 *     time, from the load generator on CPU 1; reads RSS with --cache-size sessions touched; reports
 *     table and index sizes; shows the sweeper's batch statements' plans (EXPLAIN).
 *  B. restarts holdfast with a short --expiry-interval and runs cache-missing refresh load in
 *     windows: the windows before the first removed row are the baseline, those while
 *     holdfast_expired_removed_total moves are the sweep; refresh p99 of both and rows/s.
 *
 *   npm run bench:scale -- --backends postgres,sqlite --sessions 10k,10m --seconds 5
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import type SQLite from 'better-sqlite3';
import { LoadGenerator } from './load-generator.ts';
import { firstTouchJob, holdfastTarget } from './scenarios.ts';
import { POSTGRES_ADMIN_URL, createPostgresDatabase, mintRefreshTokens, openSql, readDemoRealm, sampleSeeded, seedSessions, seededId, type Backend, type Stores } from './seed.ts';
import { ROOT, buildBundle, freePort, median, rssBytes, startHoldfast, type Running } from './server.ts';
import type { LoadResult } from './load-worker.ts';

const CACHE_SIZE = 10_000;
const MISS_SAMPLE = 2_000;
/** Live sessions beside the expired ones: more than the cache holds, so the refresh load keeps missing. */
const LIVE_MAX = 100_000;
const BATCH = 1000;
const READY_STARTS = 5;
/** Well inside the demo realm's 30-minute idle timeout, which the minted tokens' `exp` follows. */
const TOKEN_RENEWAL_MS = 15 * 60_000;

const log = (message: string) => console.error(`[scale ${new Date().toISOString().slice(11, 19)}] ${message}`);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const parseCount = (raw: string) => {
  const m = /^(\d+)([km]?)$/i.exec(raw.trim());
  if (!m) throw new Error(`bad size ${raw}`);
  return Number(m[1]) * ({ k: 1e3, m: 1e6 } as Record<string, number>)[m[2].toLowerCase()] || Number(m[1]);
};

interface Window extends LoadResult {
  removedBefore: number;
  removedAfter: number;
}

interface ScaleRun {
  backend: Backend;
  expired: number;
  live: number;
  seedSeconds: number;
  /** The median of readyStartsMs. */
  readyMs: number;
  readyStartsMs?: number[];
  missSerial?: LoadResult;
  missConcurrent?: LoadResult;
  rssIdleMb: number;
  rssTouchedMb: number;
  touched: number;
  sizes: { table: string; totalMb: number; tableMb: number; indexesMb: number }[];
  explain: string[];
  sweep?: {
    readyMs: number;
    windows: Window[];
    baselineP99: number;
    sweepP99: number;
    sweepP99Worst: number;
    removed: number;
    seconds: number;
    rowsPerSecond: number;
    left: number;
  };
  load: { before: string; after?: string };
  error?: string;
}


async function scrapeRemoved(managementUrl: string): Promise<number> {
  const text = await (await fetch(`${managementUrl}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
  return Number(/^holdfast_expired_removed_total ([0-9.e+]+)/m.exec(text)?.[1] ?? 0);
}

async function sizesOf(stores: Stores): Promise<ScaleRun['sizes']> {
  const sql = await openSql(stores);
  const mb = (b: unknown) => Number(b) / 1048576;
  try {
    if (sql.dialect === 'postgres') {
      const rows = await sql.query<{ t: string; total: string; heap: string; idx: string }>(
        `select t, pg_total_relation_size(t) total, pg_relation_size(t) heap, pg_indexes_size(t) idx from unnest(array['user_session','client_session']) t`,
      );
      return rows.map((r) => ({ table: r.t, totalMb: mb(r.total), tableMb: mb(r.heap), indexesMb: mb(r.idx) }));
    }
    const db = sql.raw as SQLite.Database;
    const bytes = db.prepare(`select name, sum(pgsize) size from dbstat group by name`).all() as { name: string; size: number }[];
    const of = (name: string) => bytes.find((b) => b.name === name)?.size ?? 0;
    return ['user_session', 'client_session'].map((table) => {
      const indexes = (db.prepare(`select name from sqlite_master where type = 'index' and tbl_name = ?`).all(table) as { name: string }[]).reduce((sum, i) => sum + of(i.name), 0);
      return { table, totalMb: mb(of(table) + indexes), tableMb: mb(of(table)), indexesMb: mb(indexes) };
    });
  } finally {
    await sql.close();
  }
}

/** The plans of one sweeper batch as SqlSessionStore.removeExpired sends it, on the seeded data (PostgreSQL: run and rolled back). */
async function explainBatch(stores: Stores, cutoff: number): Promise<string[]> {
  const sql = await openSql(stores);
  const out: string[] = [];
  try {
    if (sql.dialect === 'postgres') {
      const client = sql.raw as pg.Client;
      const plan = async (title: string, text: string, params: unknown[]) => {
        const rows = (await client.query(`explain (analyze, buffers, costs off) ${text}`, params)).rows as { 'QUERY PLAN': string }[];
        // The thousand ids of the batch, shortened.
        out.push(`-- ${title}\n${rows.map((r) => r['QUERY PLAN'].replace(/'\{[^}]*\}'/g, "'{…1000 ids…}'")).join('\n')}`);
      };
      await client.query('begin');
      await plan('select the batch', `select id, offline from user_session where expires_at < $1 order by expires_at limit ${BATCH}`, [cutoff]);
      const ids = (await client.query(`select id from user_session where expires_at < $1 order by expires_at limit ${BATCH}`, [cutoff])).rows.map((r) => r.id as string);
      await plan('lock the parents', `update user_session set expires_at = expires_at where id = any($1) and offline = 0 and expires_at < $2 returning id, realm_id`, [ids, cutoff]);
      await plan('delete the client sessions', `delete from client_session where user_session_id = any($1) and offline = 0 returning user_session_id, client_uuid, realm_id`, [ids]);
      await plan('delete the user sessions', `delete from user_session where id = any($1) and offline = 0`, [ids]);
      await client.query('rollback');
      out.push('(kysely sends `in ($1, …, $1000)`; PostgreSQL plans that list as `= ANY(…)`, shown here with one array parameter)');
    } else {
      const db = sql.raw as SQLite.Database;
      const ids = (db.prepare(`select id from user_session where expires_at < ? order by expires_at limit ${BATCH}`).all(cutoff) as { id: string }[]).map((r) => r.id);
      const list = ids.map(() => '?').join(', ');
      const plan = (title: string, text: string, params: unknown[]) => {
        const rows = db.prepare(`explain query plan ${text}`).all(...params) as { detail: string }[];
        out.push(`-- ${title}\n${rows.map((r) => r.detail).join('\n')}`);
      };
      plan('select the batch', `select id, offline from user_session where expires_at < ? order by expires_at limit ${BATCH}`, [cutoff]);
      plan('lock the parents', `update user_session set expires_at = expires_at where id in (${list}) and offline = 0 and expires_at < ? returning id, realm_id`, [...ids, cutoff]);
      plan('delete the client sessions', `delete from client_session where user_session_id in (${list}) and offline = 0 returning user_session_id, client_uuid, realm_id`, ids);
      plan('delete the user sessions', `delete from user_session where id in (${list}) and offline = 0`, ids);
    }
  } finally {
    await sql.close();
  }
  return out;
}

async function runConfig(load: LoadGenerator, backend: Backend, expired: number, options: { seconds: number; bundle: string; sweep: boolean }): Promise<ScaleRun> {
  const tag = `s${Date.now().toString(36)}`;
  const live = Math.min(LIVE_MAX, expired);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-scale-'));
  const stores: Stores = { backend, dataDir };
  const run: ScaleRun = { backend, expired, live, seedSeconds: 0, readyMs: NaN, rssIdleMb: NaN, rssTouchedMb: NaN, touched: 0, sizes: [], explain: [], load: { before: uptime() } };
  let drop: (() => Promise<void>) | undefined;
  if (backend === 'postgres') {
    const database = await createPostgresDatabase(POSTGRES_ADMIN_URL, `holdfast_scale_${tag}`);
    stores.dbUrl = database.url;
    drop = database.drop;
  }
  const port = await freePort();
  const common = ['--cache-size', String(CACHE_SIZE), '--expiry-batch-size', String(BATCH)];
  let server: Running | undefined;
  log(`${backend}: ${expired} expired + ${live} live sessions`);
  try {
    server = await startHoldfast({ stores, port, bundle: options.bundle, extraArgs: [...common, '--expiry-interval', '0'] });
    await server.stop();
    const sql = await openSql(stores);
    const realm = await readDemoRealm(sql, stores);
    await sql.close();
    const now = Math.floor(Date.now() / 1000);
    const liveTag = `${tag}l`;
    run.seedSeconds = await seedSessions(stores, realm, liveTag, live, now);
    // A day past their deadline: well beyond the sweeper's margin (touch bound + one flush).
    run.seedSeconds += await seedSessions(stores, realm, `${tag}x`, expired, now, { expiresAt: now - 86_400, bulk: true });
    log(`  seeded in ${run.seedSeconds.toFixed(1)} s`);
    run.sizes = await sizesOf(stores);
    run.explain = await explainBatch(stores, now - 3600);
    for (const e of run.explain) log(`  ${e.replace(/\n/g, '\n    ')}`);

    // Phase A: the sweeper off, the cold start, the misses, the memory.
    // Restart-to-ready is the median of READY_STARTS starts: one start is at the mercy of whatever
    // else the two cores do in that second.
    run.readyStartsMs = [];
    for (let i = 1; i < READY_STARTS; i++) {
      const start = await startHoldfast({ stores, port, bundle: options.bundle, extraArgs: [...common, '--expiry-interval', '0'] });
      run.readyStartsMs.push(start.readyMs);
      await start.stop();
    }
    server = await startHoldfast({ stores, port, bundle: options.bundle, extraArgs: [...common, '--expiry-interval', '0'] });
    run.readyStartsMs.push(server.readyMs);
    run.readyMs = median(run.readyStartsMs);
    run.rssIdleMb = rssBytes(server.pid) / 1048576;
    log(`  ready in ${run.readyMs.toFixed(0)} ms (median of ${run.readyStartsMs.map((ms) => ms.toFixed(0)).join(', ')})`);
    const target = holdfastTarget(server.url, undefined, server.managementUrl);
    const issuer = `${server.url}/realms/demo`;
    const picked = sampleSeeded(live, Math.min(live, CACHE_SIZE));
    const tokens = await mintRefreshTokens(realm, issuer, liveTag, picked, now);
    const serial = Math.min(MISS_SAMPLE, Math.floor(tokens.length / 2));
    run.missSerial = await load.run(firstTouchJob(target, tokens.slice(0, serial), 1));
    run.missConcurrent = await load.run(firstTouchJob(target, tokens.slice(serial, 2 * serial), 8));
    const rest = await load.run(firstTouchJob(target, tokens.slice(2 * serial), 8));
    run.touched = run.missSerial.ok + run.missConcurrent.ok + rest.ok;
    run.rssTouchedMb = rssBytes(server.pid) / 1048576;
    log(`  first touch p50/p99: serial ${run.missSerial.p50}/${run.missSerial.p99} ms, 8 at a time ${run.missConcurrent.p50}/${run.missConcurrent.p99} ms; ${run.touched} touched (${run.missSerial.failed + run.missConcurrent.failed + rest.failed} failed); RSS ${run.rssIdleMb.toFixed(0)} → ${run.rssTouchedMb.toFixed(0)} MB`);
    await server.stop();
    server = undefined;

    if (options.sweep) {
      // Phase B: the first sweep starts one interval after start; the windows before it are the baseline.
      const baselineWindows = 4;
      const interval = Math.ceil(options.seconds * baselineWindows + 4);
      // Every live session in turn: with more of them than the cache holds, each refresh is a store read.
      // Minted before the start, so the sweep's interval is all baseline.
      const liveNumbers = Array.from({ length: live }, (_, i) => i + 1);
      let loadTokens = await mintRefreshTokens(realm, issuer, liveTag, liveNumbers, now);
      server = await startHoldfast({ stores, port, bundle: options.bundle, extraArgs: [...common, '--expiry-interval', String(interval)] });
      const started = performance.now();
      const target2 = holdfastTarget(server.url, undefined, server.managementUrl);
      let job = { ...firstTouchJob(target2, loadTokens, 4), once: false, seconds: options.seconds };
      // The same refresh tokens are sent again and again (no rotation), and each dies at the idle
      // timeout after it was minted; a sweep of ten million rows outlasts that, so they are renewed.
      let mintedAt = performance.now();
      const windows: Window[] = [];
      let sweepStart: number | undefined;
      let sweepEnd: number | undefined;
      for (let i = 0; i < 2000; i++) {
        if (performance.now() - mintedAt > TOKEN_RENEWAL_MS) {
          loadTokens = await mintRefreshTokens(realm, issuer, liveTag, liveNumbers, Math.floor(Date.now() / 1000));
          job = { ...job, ...firstTouchJob(target2, loadTokens, 4), once: false, seconds: options.seconds };
          mintedAt = performance.now();
        }
        const removedBefore = await scrapeRemoved(server.managementUrl!);
        const result = await load.run(job);
        const removedAfter = await scrapeRemoved(server.managementUrl!);
        windows.push({ ...result, removedBefore, removedAfter });
        if (removedAfter > removedBefore && sweepStart === undefined) sweepStart = performance.now() - options.seconds * 1000;
        log(`  window ${i}: ${result.rps.toFixed(0)} req/s p50 ${result.p50} p99 ${result.p99} ms, removed ${removedAfter}${result.failed ? ` FAILED ${result.failed} ${result.sample}` : ''}`);
        if (sweepStart !== undefined && removedAfter === removedBefore) {
          sweepEnd = performance.now();
          break;
        }
        if (sweepStart === undefined && performance.now() - started > (interval + 60) * 1000) throw new Error('the sweep did not start');
      }
      // A window with failed refreshes measured the failures, not the load: left out of both.
      const baseline = windows.filter((w) => w.removedAfter === 0 && w.removedBefore === 0 && w.failed === 0).slice(1); // the first one warms up
      const during = windows.filter((w) => w.removedAfter > w.removedBefore && w.failed === 0);
      const removed = windows.at(-1)!.removedAfter;
      const seconds = ((sweepEnd ?? performance.now()) - (sweepStart ?? started)) / 1000;
      const sql2 = await openSql(stores);
      const [{ n }] = await sql2.query<{ n: number }>(`select count(*) as n from user_session where expires_at < $1`, [now - 3600]);
      await sql2.close();
      run.sweep = {
        readyMs: server.readyMs,
        windows,
        baselineP99: median(baseline.map((w) => w.p99)),
        sweepP99: median(during.map((w) => w.p99)),
        sweepP99Worst: Math.max(...during.map((w) => w.p99)),
        removed,
        seconds,
        rowsPerSecond: removed / seconds,
        left: Number(n),
      };
      log(`  sweep: ${removed} rows in ~${seconds.toFixed(0)} s (${run.sweep.rowsPerSecond.toFixed(0)} rows/s), p99 baseline ${run.sweep.baselineP99} ms, during ${run.sweep.sweepP99} ms (worst window ${run.sweep.sweepP99Worst}); ${n} expired left`);
    }
  } catch (error) {
    run.error = (error as Error).message;
    log(`  FAILED: ${(error as Error).stack}\n${server?.output().slice(-3000) ?? ''}`);
  } finally {
    await server?.stop();
    run.load.after = uptime();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (drop) await drop();
  }
  return run;
}

function render(runs: ScaleRun[]): string {
  const f = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
  const lines = [
    '| backend | expired + live rows | seed s | ready ms | miss p50/p99 (1 at a time) | miss p50/p99 (8) | RSS idle → touched MB (touched) |',
    '|---|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.backend} | ${r.expired} + ${r.live} | ${f(r.seedSeconds)} | ${f(r.readyMs, 0)} | ${r.missSerial?.p50}/${r.missSerial?.p99} | ${r.missConcurrent?.p50}/${r.missConcurrent?.p99} | ${f(r.rssIdleMb, 0)} → ${f(r.rssTouchedMb, 0)} (${r.touched}) |`),
    '',
    '| backend | rows | table | total MB | table MB | indexes MB |',
    '|---|---|---|---|---|---|',
    ...runs.flatMap((r) => r.sizes.map((s) => `| ${r.backend} | ${r.expired + r.live} | ${s.table} | ${f(s.totalMb)} | ${f(s.tableMb)} | ${f(s.indexesMb)} |`)),
    '',
    '| backend | expired rows | removed | sweep s | rows/s | refresh p99 baseline ms | p99 during sweep (median / worst window) | ratio | left |',
    '|---|---|---|---|---|---|---|---|---|',
    ...runs.filter((r) => r.sweep).map((r) => {
      const s = r.sweep!;
      return `| ${r.backend} | ${r.expired} | ${s.removed} | ${f(s.seconds, 0)} | ${f(s.rowsPerSecond, 0)} | ${s.baselineP99} | ${s.sweepP99} / ${s.sweepP99Worst} | ${f(s.sweepP99 / s.baselineP99, 2)} | ${s.left} |`;
    }),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backends: { type: 'string' }, sessions: { type: 'string' }, seconds: { type: 'string' }, 'no-sweep': { type: 'boolean' }, out: { type: 'string' } } });
  const backends = (values.backends ?? 'postgres,sqlite').split(',') as Backend[];
  for (const b of backends) if (b !== 'postgres' && b !== 'sqlite') throw new Error(`--backends: postgres and sqlite only, not ${b}`);
  const sizes = (values.sessions ?? '10k,10m').split(',').map(parseCount);
  const seconds = Number(values.seconds ?? 5);
  const bundle = await buildBundle();
  if (!bundle) throw new Error('needs esbuild to bundle holdfast');
  const load = await LoadGenerator.start();
  const runs: ScaleRun[] = [];
  try {
    for (const size of sizes) for (const backend of backends) runs.push(await runConfig(load, backend, size, { seconds, bundle, sweep: !values['no-sweep'] }));
  } finally {
    await load.stop();
    fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  }
  const table = render(runs);
  console.log(table);
  if (values.out) {
    fs.writeFileSync(`${values.out}.json`, JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, runs }, null, 2));
    fs.writeFileSync(`${values.out}.md`, `${table}\n\n${runs.map((r) => `### ${r.backend} @ ${r.expired + r.live} rows: EXPLAIN\n\n\`\`\`\n${r.explain.join('\n\n')}\n\`\`\`\n\nload: ${r.load.before} / ${r.load.after}\n`).join('\n')}`);
    log(`wrote ${values.out}.json and .md`);
  }
}

void ROOT;
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
