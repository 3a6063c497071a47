/**
 * `npm run soak`: ten minutes (`--minutes N`) of mixed load on the embedded store, to show that
 * memory and the store stop growing once what the load abandons starts to expire. It builds the
 * bundle `npm start` runs, starts it on a fresh SQLite data directory (pinned to CPU 0, as the
 * bench does), shortens the realms' lifetimes and runs the sweeper every few seconds, then runs
 * the mix of soak-load.ts from the load generator on CPU 1. Every 10 s it samples the server's
 * RSS, its V8 heap (/metrics), the database and WAL size, the rows of every table, and requests
 * and 5xx answers. At the end it prints the samples and a verdict on the second half of the run,
 * writes bench/results/<date>-soak.json, and exits non-zero on any 5xx, any answer that was not
 * what it should be, or a verdict other than flat. Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { DEFAULTS } from '../src/config/index.ts';
import { LoadGenerator } from './load-generator.ts';
import { ROOT, freePort, rssBytes, scrapeCounters, scrapeHeap, startHoldfast, type Counters, type Running } from './server.ts';
import type { Credentials, MixJob, MixProgress, OperationCounts } from './soak-load.ts';

const SAMPLE_SECONDS = 10;
const EXPIRY_INTERVAL_SECONDS = 10;
/** Growth of RSS and of the store over the second half of the run, as a share of its level, that still counts as flat. */
const FLAT_THRESHOLD = 0.1;
const MB = 1024 * 1024;

/**
 * The demo realm's lifetimes for the soak (and the rotation realm's): short, so that sessions,
 * logins in progress, codes and revocation records the load leaves behind expire within the
 * first minutes and the store can reach its steady state.
 */
const LIFETIMES = {
  ssoSessionIdleTimeout: 60,
  ssoSessionMaxLifespan: 300,
  offlineSessionIdleTimeout: 60,
  accessTokenLifespan: 60,
  accessCodeLifespan: 30,
  accessCodeLifespanLogin: 30,
  accessCodeLifespanUserAction: 60,
};

/**
 * When everything the load abandoned at the start has been swept: the longest lifetime of what it
 * abandons (sessions die idle, long before their maximum), then the sweeper's margin (it leaves a
 * row alone until the touch bound and one flush past its deadline), then one sweep interval.
 */
const STEADY_AFTER_SECONDS =
  Math.max(LIFETIMES.ssoSessionIdleTimeout, LIFETIMES.offlineSessionIdleTimeout, LIFETIMES.accessTokenLifespan, LIFETIMES.accessCodeLifespan, LIFETIMES.accessCodeLifespanLogin) +
  DEFAULTS.touchIntervalSeconds +
  Math.ceil(DEFAULTS.touchFlushMs / 1000) +
  EXPIRY_INTERVAL_SECONDS;

interface FlagGroup {
  flags: string[];
  why: string;
  /** Must be understood by this build; the others are passed only when its usage text lists them. */
  required?: boolean;
}

/**
 * The one place that says how the soak starts holdfast, beyond what bench/server.ts's
 * startHoldfast passes (the command `npm start` runs, on the bundle, shared with the bench so
 * that changes to start-up land once; a management port for /health and /metrics comes back
 * from it as `managementUrl`). Flags that are still being added elsewhere are passed only if the
 * build offers them, and the report lists the ones it left out.
 */
function serverFlags(port: number): FlagGroup[] {
  return [
    { flags: ['--hostname', `http://127.0.0.1:${port}`], why: 'the public URL, explicit (production start requires one)', required: true },
    { flags: ['--expiry-interval', String(EXPIRY_INTERVAL_SECONDS)], why: `a sweep every ${EXPIRY_INTERVAL_SECONDS} s`, required: true },
    { flags: ['--metrics-enabled=true'], why: 'heap and request counts come from /metrics' },
    {
      flags: ['--rate-limit-per-ip', '100000000', '--rate-limit-per-client', '100000000', '--rate-limit-exempt', 'none'],
      why: 'rate limits apply to loopback too but sit far above the soak: the limiter is soaked, its refusals never hit the load',
    },
  ];
}

function offeredFlags(bundle: string): Set<string> {
  const usage = execFileSync(process.execPath, [bundle, '--help'], { cwd: ROOT, encoding: 'utf8' });
  return new Set(usage.match(/--[a-z][a-z-]*/g) ?? []);
}

function chooseFlags(groups: FlagGroup[], offered: Set<string>): { args: string[]; passed: FlagGroup[]; leftOut: FlagGroup[] } {
  const passed: FlagGroup[] = [];
  const leftOut: FlagGroup[] = [];
  for (const group of groups) {
    const names = group.flags.filter((flag) => flag.startsWith('--')).map((flag) => flag.split('=')[0]);
    if (names.every((name) => offered.has(name))) passed.push(group);
    else if (group.required) throw new Error(`this build of holdfast does not offer ${names.filter((name) => !offered.has(name)).join(', ')}, which the soak needs`);
    else leftOut.push(group);
  }
  return { args: passed.flatMap((group) => group.flags), passed, leftOut };
}

const log = (message: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

// ---------------------------------------------------------------- setting the realms up

async function adminToken(url: string, admin: Credentials): Promise<string> {
  const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', ...admin }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`admin sign-in failed (${response.status}): ${JSON.stringify(body)}`);
  return body.access_token;
}

async function admin(url: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} /admin${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

const userFields = (username: string, password: string) => ({
  username,
  enabled: true,
  email: `${username}@example.com`,
  emailVerified: true,
  firstName: 'Soak',
  lastName: username,
  credentials: [{ type: 'password', value: password, temporary: false }],
});

/** Lifetimes and brute-force detection on the demo realm, a decoy user for wrong passwords, and a realm with rotation. */
async function setUpRealms(url: string, administrator: Credentials): Promise<Pick<MixJob, 'decoy' | 'rotation'>> {
  const token = await adminToken(url, administrator);
  await admin(url, token, 'PUT', '/realms/demo', { ...LIFETIMES, bruteForceProtected: true });
  const demo = await admin(url, token, 'GET', '/realms/demo');
  const notApplied = Object.entries(LIFETIMES).filter(([name, value]) => demo[name] !== value);
  if (notApplied.length > 0) throw new Error(`the demo realm did not take ${notApplied.map(([name]) => name).join(', ')}`);
  const decoy = 'soak-decoy';
  await admin(url, token, 'POST', '/realms/demo/users', userFields(decoy, randomBytes(12).toString('base64url')));
  const rotation = { realm: 'soak-rotation', clientId: 'soak-rotating', secret: randomBytes(16).toString('hex'), user: { username: 'soak-rotor', password: randomBytes(12).toString('base64url') } };
  await admin(url, token, 'POST', '/realms', {
    realm: rotation.realm,
    enabled: true,
    ...LIFETIMES,
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
    clients: [{ clientId: rotation.clientId, secret: rotation.secret, publicClient: false, standardFlowEnabled: false, directAccessGrantsEnabled: true }],
    users: [userFields(rotation.user.username, rotation.user.password)],
  });
  return { decoy, rotation };
}

// ---------------------------------------------------------------- sampling

interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssBytes: number;
  heapUsedBytes: number;
  dbBytes: number;
  walBytes: number;
  rows: Record<string, number>;
  /** Server-side totals from /metrics (NaN without it). */
  requests: number;
  serverErrors: number;
  /** Client-side totals over every operation of the mix. */
  operations: number;
  clientServerErrors: number;
}

/** Row counts of every table, read from a read-only connection between the server's writes. */
class StoreReader {
  private readonly db: SQLite.Database;
  private readonly count: () => Record<string, number>;

  constructor(readonly file: string) {
    this.db = new SQLite(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    const tables = this.db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).pluck().all() as string[];
    const counts = tables.map((table) => [table, this.db.prepare(`select count(*) from "${table.replace(/"/g, '""')}"`).pluck()] as const);
    const offline = tables.includes('user_session') ? this.db.prepare('select count(*) from user_session where offline = 1').pluck() : undefined;
    this.count = this.db.transaction(() => {
      const rows: Record<string, number> = {};
      for (const [table, statement] of counts) rows[table] = statement.get() as number;
      if (offline) rows['user_session (offline)'] = offline.get() as number;
      return rows;
    });
  }

  rows(): Record<string, number> {
    return this.count();
  }

  sizes(): { dbBytes: number; walBytes: number } {
    const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
    return { dbBytes: size(this.file), walBytes: size(`${this.file}-wal`) };
  }

  close(): void {
    this.db.close();
  }
}

function sumCounts(operations: Record<string, OperationCounts>): { operations: number; serverErrors: number } {
  let total = 0;
  let serverErrors = 0;
  for (const counts of Object.values(operations)) {
    total += counts.ok + counts.unexpected + counts.serverErrors + counts.noAnswer;
    serverErrors += counts.serverErrors;
  }
  return { operations: total, serverErrors };
}

async function serverCounters(metricsUrl: string): Promise<Counters | undefined> {
  try {
    return await scrapeCounters(metricsUrl);
  } catch {
    return undefined;
  }
}

async function takeSample(t: number, server: Running, metricsUrl: string, store: StoreReader, progress: MixProgress | undefined): Promise<Sample> {
  const rss = rssBytes(server.pid);
  const heap = await scrapeHeap(metricsUrl).catch(() => ({ heapUsedBytes: NaN }));
  const counters = await serverCounters(metricsUrl);
  const client = sumCounts(progress?.operations ?? {});
  return {
    t,
    rssBytes: rss,
    heapUsedBytes: heap.heapUsedBytes,
    ...store.sizes(),
    rows: store.rows(),
    requests: counters?.requests ?? NaN,
    serverErrors: counters?.serverErrors ?? NaN,
    operations: client.operations,
    clientServerErrors: client.serverErrors,
  };
}

// ---------------------------------------------------------------- the verdict

interface Trend {
  /** Least-squares slope over the second half, per minute (MB/min for sizes, rows/min for rows). */
  slopePerMinute: number;
  /** Fitted growth over the second half as a share of the fitted level at its start. */
  growth: number;
  /** Fitted value at the start of the second half. */
  level: number;
}

function trend(points: Array<[number, number]>): Trend {
  const n = points.length;
  const meanT = points.reduce((s, [t]) => s + t, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [t]) => s + (t - meanT) ** 2, 0);
  const slope = sxx === 0 ? 0 : points.reduce((s, [t, y]) => s + (t - meanT) * (y - meanY), 0) / sxx;
  const from = points[0][0];
  const to = points[n - 1][0];
  const level = meanY + slope * (from - meanT);
  return { slopePerMinute: slope * 60, growth: level === 0 ? 0 : (slope * (to - from)) / level, level };
}

interface Verdict {
  judged: boolean;
  flat: boolean;
  /** Seconds from which the samples are judged. */
  from: number;
  rss: Trend;
  store: Trend;
  /** Not judged (they follow the load's rate, which a shared machine moves): how the rows moved. */
  rows: { user_session: Trend; auth_session: Trend; all: Trend };
  reason: string;
}

function judge(samples: Sample[], seconds: number): Verdict {
  const from = seconds / 2;
  const half = samples.filter((s) => s.t >= from);
  const points = (value: (s: Sample) => number) => half.map((s) => [s.t, value(s)] as [number, number]);
  const totalRows = (s: Sample) => Object.entries(s.rows).reduce((sum, [table, n]) => (table.includes('(') ? sum : sum + n), 0);
  const enough = half.length >= 3;
  const empty: Trend = { slopePerMinute: NaN, growth: NaN, level: NaN };
  const rss = enough ? trend(points((s) => s.rssBytes / MB)) : empty;
  const store = enough ? trend(points((s) => (s.dbBytes + s.walBytes) / MB)) : empty;
  const rows = {
    user_session: enough ? trend(points((s) => s.rows.user_session ?? 0)) : empty,
    auth_session: enough ? trend(points((s) => s.rows.auth_session ?? 0)) : empty,
    all: enough ? trend(points(totalRows)) : empty,
  };
  const judged = from >= STEADY_AFTER_SECONDS && enough;
  const flat = judged && rss.growth < FLAT_THRESHOLD && store.growth < FLAT_THRESHOLD;
  const reason = !judged
    ? `not judged: the second half starts at ${from.toFixed(0)} s, before the store can be steady (${STEADY_AFTER_SECONDS} s: longest lifetime + sweep margin + one sweep); run at least ${Math.ceil((2 * STEADY_AFTER_SECONDS) / 60)} minutes`
    : flat
      ? `flat once steady: over the second half RSS grew ${pct(rss.growth)} and the store ${pct(store.growth)} (both below ${pct(FLAT_THRESHOLD)})`
      : `not flat: over the second half RSS grew ${pct(rss.growth)} and the store ${pct(store.growth)} (limit ${pct(FLAT_THRESHOLD)} each)`;
  return { judged, flat, from, rss, store, rows, reason };
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

// ---------------------------------------------------------------- the report

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function renderSamples(samples: Sample[]): string {
  const header = ['time', 'RSS MB', 'heap MB', 'db+wal MB', 'user_session', 'auth_session', 'req/s', '5xx'];
  const rows = samples.map((sample, index) => {
    const previous = samples[index - 1];
    const seconds = previous ? sample.t - previous.t : NaN;
    const serverSide = Number.isFinite(sample.requests);
    const requests = previous ? (serverSide ? sample.requests - previous.requests : sample.operations - previous.operations) / seconds : NaN;
    const serverErrors = previous ? Math.max(sample.clientServerErrors - previous.clientServerErrors, serverSide ? sample.serverErrors - previous.serverErrors : 0) : 0;
    const minutes = Math.floor(sample.t / 60);
    return [
      `${minutes}:${String(Math.round(sample.t - minutes * 60)).padStart(2, '0')}`,
      fixed(sample.rssBytes / MB),
      fixed(sample.heapUsedBytes / MB),
      fixed((sample.dbBytes + sample.walBytes) / MB, 2),
      String(sample.rows.user_session ?? 'n/a'),
      String(sample.rows.auth_session ?? 'n/a'),
      fixed(requests, 0),
      String(serverErrors),
    ];
  });
  return table(header, rows, [0]);
}

function renderOperations(operations: Record<string, OperationCounts>): string {
  const rows = Object.entries(operations)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => [name, String(c.ok), String(c.unexpected), String(c.serverErrors), String(c.noAnswer), c.samples[0]?.slice(0, 100) ?? '']);
  return table(['operation', 'as expected', 'unexpected', '5xx', 'no answer', 'first unexpected'], rows, [0, 5]);
}

/** A markdown table, numbers right-aligned, the `leftAligned` columns left. */
function table(header: string[], rows: string[][], leftAligned: number[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (leftAligned.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const trendLine = (name: string, t: Trend, unit: string) => `  ${name.padEnd(22)} ${fixed(t.level, 1).padStart(8)} ${unit} at the half, slope ${fixed(t.slopePerMinute, 3)} ${unit}/min, growth ${Number.isFinite(t.growth) ? pct(t.growth) : 'n/a'}`;

interface SoakReport {
  date: string;
  minutes: number;
  machine: { cpus: number; node: string };
  server: { flags: string[]; passed: FlagGroup[]; leftOut: FlagGroup[]; readyMs: number; lifetimes: typeof LIFETIMES; expiryIntervalSeconds: number; steadyAfterSeconds: number };
  samples: Sample[];
  operations: Record<string, OperationCounts>;
  serverTotals: Counters | undefined;
  verdict: Verdict;
  flatThreshold: number;
  failures: string[];
}

function printReport(r: SoakReport): void {
  const { verdict, serverTotals: totals } = r;
  console.log(`\n## Soak: ${r.minutes} min of mixed load on the embedded store (SQLite), ${r.date.slice(0, 10)}\n`);
  console.log(renderSamples(r.samples));
  console.log(`\nOperations (client side):\n\n${renderOperations(r.operations)}\n`);
  console.log(`Server: ${totals ? `${totals.requests} requests, ${totals.serverErrors} 5xx (holdfast's /metrics)` : '/metrics not reachable: req/s above are operations seen by the load'}`);
  console.log(`Started with: ${r.server.flags.join(' ')}`);
  for (const group of r.server.passed) console.log(`  ${group.flags.join(' ')}: ${group.why}`);
  for (const group of r.server.leftOut) console.log(`  left out, not offered by this build: ${group.flags.join(' ')} (${group.why})`);
  console.log(`Realms: ${Object.entries(r.server.lifetimes).map(([k, v]) => `${k}=${v}`).join(', ')}; steady from about ${r.server.steadyAfterSeconds} s`);
  console.log(`\nSecond half (from ${fixed(verdict.from, 0)} s), least squares:`);
  console.log(trendLine('RSS', verdict.rss, 'MB'));
  console.log(trendLine('db+wal', verdict.store, 'MB'));
  console.log(trendLine('user_session rows', verdict.rows.user_session, 'rows'));
  console.log(trendLine('auth_session rows', verdict.rows.auth_session, 'rows'));
  console.log(trendLine('all rows', verdict.rows.all, 'rows'));
  console.log(`\nVerdict: ${verdict.reason}`);
  console.log(r.failures.length === 0 ? 'PASS' : `FAIL:\n${r.failures.map((f) => `  - ${f}`).join('\n')}`);
}

// ---------------------------------------------------------------- the run

function parseOptions(argv: string[]): { minutes: number } {
  const { values } = parseArgs({ args: argv, options: { minutes: { type: 'string' } } });
  const minutes = Number(values.minutes ?? 10);
  if (!(minutes > 0 && minutes <= 120)) throw new Error('--minutes must be in (0, 120]');
  return { minutes };
}

async function main(): Promise<number> {
  const { minutes } = parseOptions(process.argv.slice(2));
  if (os.cpus().length < 2) throw new Error('the soak needs two CPUs: the server on CPU 0, the load on CPU 1');
  const seconds = Math.round(minutes * 60);
  const administrator = { username: process.env.HOLDFAST_BOOTSTRAP_ADMIN_USERNAME ?? 'admin', password: process.env.HOLDFAST_BOOTSTRAP_ADMIN_PASSWORD ?? 'admin' };

  log('building the bundle (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const bundle = path.join(ROOT, 'dist/holdfast.mjs');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-soak-'));
  const port = await freePort();
  const flags = chooseFlags(serverFlags(port), offeredFlags(bundle));

  let server: Running | undefined;
  let load: LoadGenerator<MixJob, MixProgress, MixProgress> | undefined;
  let store: StoreReader | undefined;
  // Either ends the run early: a signal to the soak, or a sample that could not be taken (the server is gone).
  let abort: (error: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => undefined);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort(new Error(`stopped by ${signal}`)));
  try {
    server = await startHoldfast({ stores: { backend: 'sqlite', dataDir }, port, bundle, extraArgs: flags.args });
    const metricsUrl = (server as Running & { managementUrl?: string }).managementUrl ?? server.url;
    log(`holdfast ready in ${server.readyMs.toFixed(0)} ms on ${server.url} (metrics on ${metricsUrl}); flags: ${flags.args.join(' ')}`);
    for (const group of flags.leftOut) log(`  not offered by this build, left out: ${group.flags.join(' ')} (${group.why})`);

    const realms = await setUpRealms(server.url, administrator);
    log(`realms set: demo ${JSON.stringify(LIFETIMES)}, brute-force detection on; realm ${realms.rotation.realm} with rotation`);
    store = new StoreReader(path.join(dataDir, 'holdfast.db'));

    load = await LoadGenerator.start<MixJob, MixProgress, MixProgress>('bench/soak-load.ts');
    const samples: Sample[] = [await takeSample(0, server, metricsUrl, store, undefined)];
    let sampling = Promise.resolve();
    const onProgress = (progress: MixProgress) => {
      sampling = sampling
        .then(async () => {
          const sample = await takeSample(progress.elapsedSeconds, server!, metricsUrl, store!, progress);
          samples.push(sample);
          log(`${fixed(sample.t, 0)} s: RSS ${fixed(sample.rssBytes / MB)} MB, db+wal ${fixed((sample.dbBytes + sample.walBytes) / MB, 2)} MB, user_session ${sample.rows.user_session}, auth_session ${sample.rows.auth_session}`);
        })
        .catch((error) => abort(new Error(`sampling failed, is holdfast still running? ${(error as Error).message}`)));
    };
    log(`mixed load for ${seconds} s, a sample every ${SAMPLE_SECONDS} s`);
    const job: MixJob = { url: server.url, seconds, progressSeconds: SAMPLE_SECONDS, admin: administrator, ...realms };
    const final = await Promise.race([load.run(job, onProgress), aborted]);
    await Promise.race([sampling, aborted]);
    const last = samples[samples.length - 1];
    if (final.elapsedSeconds - last.t >= 1) samples.push(await takeSample(final.elapsedSeconds, server, metricsUrl, store, final));
    const totals = await serverCounters(metricsUrl);

    const verdict = judge(samples, seconds);
    const client = Object.values(final.operations).reduce(
      (sum, c) => ({ unexpected: sum.unexpected + c.unexpected, serverErrors: sum.serverErrors + c.serverErrors, noAnswer: sum.noAnswer + c.noAnswer }),
      { unexpected: 0, serverErrors: 0, noAnswer: 0 },
    );
    const failures = [
      ...(client.serverErrors > 0 ? [`${client.serverErrors} 5xx answers seen by the load`] : []),
      ...(totals && totals.serverErrors > 0 ? [`${totals.serverErrors} 5xx answers counted by holdfast (/metrics)`] : []),
      ...(client.unexpected > 0 ? [`${client.unexpected} answers that were not what they should be`] : []),
      ...(client.noAnswer > 0 ? [`${client.noAnswer} requests without an answer (timeouts, connection errors)`] : []),
      ...(verdict.flat ? [] : [verdict.reason]),
    ];

    const report: SoakReport = {
      date: new Date().toISOString(),
      minutes,
      machine: { cpus: os.cpus().length, node: process.versions.node },
      server: { flags: flags.args, passed: flags.passed, leftOut: flags.leftOut, readyMs: server.readyMs, lifetimes: LIFETIMES, expiryIntervalSeconds: EXPIRY_INTERVAL_SECONDS, steadyAfterSeconds: STEADY_AFTER_SECONDS },
      samples,
      operations: final.operations,
      serverTotals: totals,
      verdict,
      flatThreshold: FLAT_THRESHOLD,
      failures,
    };
    printReport(report);
    const out = path.join(ROOT, 'bench/results', `${report.date.slice(0, 10)}-soak.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    log(`wrote ${path.relative(ROOT, out)}`);
    return failures.length === 0 ? 0 : 1;
  } catch (error) {
    if (server) log(`holdfast's last output:\n${server.output().slice(-3000)}`);
    throw error;
  } finally {
    await load?.stop();
    await server?.stop();
    store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
