/**
 * `npm run bench:builds -- --revs 64869a6,HEAD`: two or more builds of holdfast side by side on
 * SQLite, in interleaved rounds, with figures that hold on a loaded machine: the server's CPU time
 * per request (every thread, from /proc, so the signatures on libuv's pool count) over a fixed
 * number of refreshes, and RSS and V8 heap at ready, and after 10k stored sessions were each
 * refreshed once (first touch: one store read each, then cached). Each revision is checked out in
 * a temporary worktree and bundled as `npm start` runs it; req/s is printed but is noise.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, cpuSeconds, freePort, median, rssBytes, scrapeHeap, startHoldfast, type Running } from './server.ts';
import { mintRefreshTokens, openSql, readDemoRealm, sampleSeeded, seedSessions, type DemoRealm, type Stores } from './seed.ts';
import { holdfastTarget } from './scenarios.ts';

const { values } = parseArgs({
  options: { revs: { type: 'string', default: 'HEAD' }, rounds: { type: 'string', default: '3' }, requests: { type: 'string', default: '3000' }, sessions: { type: 'string', default: '10000' } },
});
const revs = values.revs!.split(',');
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const population = Number(values.sessions);
const basic = `Basic ${Buffer.from('demo-service:demo-service-secret').toString('base64')}`;
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

async function bounded(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < count) await work(next++);
  }));
}

async function refresh(url: string, token: string, scope?: string): Promise<void> {
  const response = await fetch(`${url}/realms/demo/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`,
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`refresh answered ${response.status}`);
}

interface Build {
  rev: string;
  worktree: string;
  bundle: string;
  stores: Stores;
  realm: DemoRealm;
  tag: string;
  rows: Array<Record<string, number>>;
}

async function prepare(rev: string): Promise<Build> {
  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-build-'));
  execFileSync('git', ['worktree', 'add', '--detach', worktree, rev], { cwd: ROOT, stdio: 'ignore' });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
  try {
    return await bundleAndSeed(rev, worktree);
  } catch (error) {
    execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
    throw error;
  }
}

async function bundleAndSeed(rev: string, worktree: string): Promise<Build> {
  const bundle = path.join(worktree, 'dist', 'holdfast.mjs');
  if (fs.existsSync(path.join(worktree, 'scripts/build-server.ts'))) execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-server.ts'], { cwd: worktree });
  // Revisions from before scripts/build-server.ts: the build command of their package.json.
  else execFileSync(path.join(ROOT, 'node_modules/.bin/esbuild'), ['src/main.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', '--log-level=warning', `--outfile=${bundle}`], { cwd: worktree });
  const stores: Stores = { backend: 'sqlite', dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-build-data-')) };
  const first = await startHoldfast({ stores, port: await freePort(), bundle });
  await first.stop();
  const sql = await openSql(stores);
  const realm = await readDemoRealm(sql, stores);
  await sql.close();
  const tag = `c${Date.now().toString(36)}`;
  await seedSessions(stores, realm, tag, population, Math.floor(Date.now() / 1000));
  return { rev, worktree, bundle, stores, realm, tag, rows: [] };
}

async function measure(build: Build): Promise<Record<string, number>> {
  const server: Running = await startHoldfast({ stores: build.stores, port: await freePort(), bundle: build.bundle });
  try {
    const row: Record<string, number> = { rssReady: rssBytes(server.pid) };
    Object.assign(row, { heapReady: (await scrapeHeap(server.managementUrl!)).heapUsedBytes });
    const tokens = await mintRefreshTokens(build.realm, `${server.url}/realms/demo`, build.tag, sampleSeeded(population, Math.min(population, 10_000)), Math.floor(Date.now() / 1000));
    let cpu = cpuSeconds(server.pid);
    await bounded(tokens.length, 8, (i) => refresh(server.url, tokens[i], 'profile email'));
    row.cpuFirstTouchUs = ((cpuSeconds(server.pid) - cpu) * 1e6) / tokens.length;
    row.rssCached = rssBytes(server.pid);
    row.heapCached = (await scrapeHeap(server.managementUrl!)).heapUsedBytes;
    const target = holdfastTarget(server.url);
    const sessions = (await target.openSessions(16, target.service)).map((s) => s.refresh_token as string);
    await bounded(500, 8, (i) => refresh(server.url, sessions[i % sessions.length]));
    for (const [name, scope] of [['cpuRefreshUs', undefined], ['cpuRefreshNoOpenidUs', 'profile email']] as const) {
      cpu = cpuSeconds(server.pid);
      const started = performance.now();
      await bounded(requests, 8, (i) => refresh(server.url, sessions[i % sessions.length], scope));
      row[name] = ((cpuSeconds(server.pid) - cpu) * 1e6) / requests;
      row[name.replace('cpu', 'rps').replace('Us', '')] = requests / ((performance.now() - started) / 1000);
    }
    return row;
  } finally {
    await server.stop();
  }
}

const builds: Build[] = [];
try {
  for (const rev of revs) builds.push(await prepare(rev));
  for (let round = 0; round < rounds; round++) {
    for (const build of builds) {
      const row = await measure(build);
      build.rows.push(row);
      console.error(`round ${round + 1} ${build.rev}: ${JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Math.round(k.startsWith('rss') || k.startsWith('heap') ? v / 1048576 : v)])))}`);
    }
  }
  console.log(`\n| build | CPU µs/refresh (openid) | CPU µs/refresh (no openid) | CPU µs/first touch | RSS ready MB | RSS with ${Math.min(population, 10_000)} cached MB | heap ready / cached MB | req/s (noise) |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { rev, rows } of builds) {
    const m = (key: string) => median(rows.map((r) => r[key]));
    console.log(`| ${rev} | ${m('cpuRefreshUs').toFixed(0)} | ${m('cpuRefreshNoOpenidUs').toFixed(0)} | ${m('cpuFirstTouchUs').toFixed(0)} | ${mb(m('rssReady'))} | ${mb(m('rssCached'))} | ${mb(m('heapReady'))} / ${mb(m('heapCached'))} | ${m('rpsRefresh').toFixed(0)} |`);
  }
  console.log(`\nMedians of ${rounds} interleaved rounds, ${requests} refreshes each, SQLite, server on CPU 0.`);
} finally {
  for (const build of builds) {
    fs.rmSync(build.stores.dataDir, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'remove', '--force', build.worktree], { cwd: ROOT, stdio: 'ignore' });
  }
}
