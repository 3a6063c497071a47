/**
 * `npm run bench`: the benchmark runner. For every session backend and population it seeds a
 * fresh store, starts holdfast pinned to CPU 0, measures restart-to-ready, cache misses and memory,
 * opens real sessions for the hot loops and runs every scenario from a load generator pinned to
 * CPU 1; then the same scenarios against node-oidc-provider; then prints the tables and writes
 * JSON. Every phase is bounded: fixed durations, fixed request counts, deadlines on processes.
 *
 *   npm run bench                       full: sqlite, postgres, redis, memory × 10k, 1M (≈ 15 min)
 *   npm run bench -- --quick            10k sessions only, 2 s per scenario (≈ 2–3 min)
 *   npm run bench -- --backends sqlite,postgres --populations 10k --seconds 5 --warmup 5 --scenarios refresh
 *   npm run bench -- --profile          CPU profile of holdfast's refresh path under load (SQLite, or --backends X)
 *   npm run bench -- --profile --scenarios login_code_pkce   … of the scenarios named
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LoadGenerator } from './load-generator.ts';
import { cacheMemoryProbe, runSigningFloor, storeLookup } from './probes.ts';
import { profileRefresh } from './profile.ts';
import { renderMarkdown, writeResults, type ConfigRun, type RunReport, type ScenarioRun } from './report.ts';
import { SCENARIOS, firstTouchJob, holdfastTarget, jobFor, peerTarget, type Samples, type Scenario, type Target } from './scenarios.ts';
import { addCheapUser, mintRefreshTokens, openSql, readDemoRealm, sampleSeeded, seedSessions, seededId, setRotation, throwawayStores, type Backend, type Stores } from './seed.ts';
import { ROOT, buildBundle, counterDelta, freePort, rssBytes, scrapeCounters, scrapeHeap, startHoldfast, startPeer, type Running } from './server.ts';
import type { HttpJob, Job, LoadResult } from './load-worker.ts';


interface Options {
  mode: 'quick' | 'full';
  backends: Backend[];
  populations: number[];
  seconds: number;
  warmupSeconds: number;
  scenarios: Scenario[];
  /** Stored sessions refreshed once after restart: the cache-miss sample and the cache fill (SQLite always fills 10k: the RSS figure). */
  cacheFill: number;
  /** Of those, how many are sent one at a time for the latency figure. */
  missSample: number;
  peer: boolean;
  out: string;
  /** How holdfast is started: as the esbuild bundle `npm start` runs, or through tsx like `npm run dev`. */
  runtime: 'tsx' | 'bundle';
  /** Set at start: the bundle, for `--runtime bundle` and for the bundled restart measurement. */
  bundle?: string;
}

function parsePopulation(raw: string): number {
  const match = /^(\d+)([km]?)$/i.exec(raw.trim());
  if (!match) throw new Error(`bad population '${raw}' (e.g. 10k, 1m)`);
  return Number(match[1]) * (match[2].toLowerCase() === 'k' ? 1000 : match[2].toLowerCase() === 'm' ? 1_000_000 : 1);
}

function parseOptions(argv: string[]): Options & { profile: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      backends: { type: 'string' },
      populations: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      scenarios: { type: 'string' },
      'no-peer': { type: 'boolean' },
      profile: { type: 'boolean' },
      out: { type: 'string' },
      runtime: { type: 'string' },
    },
  });
  const runtime = values.runtime ?? 'bundle';
  if (runtime !== 'tsx' && runtime !== 'bundle') throw new Error('--runtime must be tsx or bundle');
  const quick = values.quick ?? false;
  const backends = (values.backends ?? 'sqlite,postgres,redis,memory').split(',') as Backend[];
  for (const b of backends) if (!['sqlite', 'postgres', 'redis', 'memory'].includes(b)) throw new Error(`unknown backend ${b}`);
  const names = values.scenarios?.split(',');
  const scenarios = names ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  if (names && scenarios.length !== names.length) throw new Error(`unknown scenario in ${values.scenarios}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const seconds = Number(values.seconds ?? (quick ? 2 : 5));
  if (!(seconds > 0 && seconds <= 120)) throw new Error('--seconds must be in (0, 120]');
  // Both servers reach steady state only after ~10 s of load (V8 optimises the hot path as it
  // runs): a 1 s warm-up measured each fresh holdfast process half cold, against a peer process
  // kept warm by every paired run before.
  const warmupSeconds = Number(values.warmup ?? (quick ? 0.5 : 5));
  if (!(warmupSeconds > 0 && warmupSeconds <= 120)) throw new Error('--warmup must be in (0, 120]');
  return {
    mode: quick ? 'quick' : 'full',
    backends,
    populations: (values.populations ?? (quick ? '10k' : '10k,1m')).split(',').map(parsePopulation),
    seconds,
    warmupSeconds,
    scenarios,
    cacheFill: quick ? 2_000 : 10_000,
    missSample: quick ? 300 : 1000,
    peer: !values['no-peer'],
    out: path.resolve(values.out ?? path.join(ROOT, 'bench/results')),
    profile: values.profile ?? false,
    runtime,
  };
}

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

interface Measured {
  result: LoadResult;
  writes?: ReturnType<typeof counterDelta>;
}

/**
 * Warm-up, then the measured run with holdfast's counters read on either side. Each gets sessions
 * of its own, opened just before it: a rotated token is spent, and node-oidc-provider's
 * in-memory adapter (an LRU of 1000 entries) forgets sessions opened before thousands of
 * warm-up refreshes.
 */
async function measure(load: LoadGenerator, scenario: Scenario, target: Target, options: Options): Promise<Measured | undefined> {
  const warmup = jobFor(scenario, target, await samplesFor(scenario, target), options.warmupSeconds);
  if (!warmup) return undefined;
  await load.run(warmup);
  const job = jobFor(scenario, target, await samplesFor(scenario, target), options.seconds)!;
  const before = target.metricsUrl ? await scrapeCounters(target.metricsUrl) : undefined;
  const result = await load.run(job);
  const after = target.metricsUrl ? await scrapeCounters(target.metricsUrl) : undefined;
  return { result, writes: before && after ? counterDelta(before, after) : undefined };
}

/**
 * Real sessions for one scenario, opened through the API just before it runs: node-oidc-provider's
 * in-memory adapter is an LRU of 1000 entries, so sessions opened earlier may be gone by then.
 */
async function samplesFor(scenario: Scenario, target: Target): Promise<Samples> {
  const samples: Samples = { refreshTokens: [], resourceRefreshTokens: [], accessTokens: [], rotatingTokens: [] };
  if (scenario.name === 'refresh' || scenario.name === 'refresh_no_openid') {
    samples.refreshTokens = (await target.openSessions(16, target.service)).map((s) => s.refresh_token);
  } else if (scenario.name === 'introspection' || scenario.name === 'userinfo') {
    samples.accessTokens = (await target.openSessions(8, target.resourceCaller)).map((s) => s.access_token);
  } else if (scenario.rotation) {
    samples.rotatingTokens = (await target.openSessions(scenario.connections + 2, target.rotating)).map((s) => s.refresh_token);
  }
  return samples;
}

/** The scenarios whose ratio to the peer is a target: each holdfast run is paired with a peer run right after it. */
const PAIRED = new Set(['refresh', 'refresh_no_openid', 'refresh_rotation']);

async function runScenarios(
  load: LoadGenerator,
  target: Target,
  scenarios: Scenario[],
  options: Options,
  record: (scenario: Scenario, measured: Measured, pairedPeer?: LoadResult) => void,
  peer?: Target,
): Promise<void> {
  for (const scenario of scenarios) {
    const measured = await measure(load, scenario, target, options);
    if (!measured) continue;
    const r = measured.result;
    log(`  ${scenario.name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms${r.failed ? ` FAILED ${r.failed}: ${r.sample}` : ''}`);
    let paired: LoadResult | undefined;
    if (peer && PAIRED.has(scenario.name)) {
      // Same minute, same core: other load on a shared machine then weighs on both alike.
      paired = (await measure(load, scenario, peer, options))!.result;
      log(`    oidc-provider right after: ${paired.rps.toFixed(0)} req/s${paired.failed ? ` FAILED ${paired.failed}: ${paired.sample}` : ''}`);
    }
    record(scenario, measured, paired);
  }
}

/** Turns rotation on: through the admin REST API when holdfast has it, else in the realm row while stopped. */
async function enableRotation(server: Running, stores: Stores, port: number, bundle?: string): Promise<{ server: Running; how: ConfigRun['rotationSwitch'] }> {
  try {
    const token = await fetch(`${server.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }),
    });
    const accessToken = ((await token.json()) as { access_token?: string }).access_token;
    if (accessToken) {
      const put = await fetch(`${server.url}/admin/realms/demo`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ revokeRefreshToken: true, refreshTokenMaxReuse: 0 }),
      });
      await put.arrayBuffer();
      if (put.status === 204 || put.status === 200) return { server, how: 'admin-api' };
    }
  } catch {
    // fall through to the database
  }
  await server.stop();
  await setRotation(stores, true);
  return { server: await startHoldfast({ stores, port, bundle }), how: 'database' };
}

async function runHoldfastConfig(load: LoadGenerator, backend: Backend, population: number, options: Options, report: RunReport, peer?: Target): Promise<void> {
  const tag = `b${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-bench-'));
  const throwaway = await throwawayStores(backend, tag, dataDir);
  const { stores } = throwaway;
  const config: ConfigRun = { backend, population, seedSeconds: 0, restartMs: NaN, rotationSwitch: 'database', rssIdleBytes: NaN, rssCachedBytes: NaN, sessionsInMemory: 0 };
  report.configs.push(config);
  const port = await freePort();
  const bundle = options.runtime === 'bundle' ? options.bundle : undefined;
  let server: Running | undefined;
  log(`holdfast ${backend} @${population}${bundle ? ' (bundled)' : ''}`);
  try {
    // First start creates the schema and the demo realm; the stored sessions go in while it is down.
    server = await startHoldfast({ stores, port, bundle });
    await server.stop();
    const sql = await openSql(backend === 'postgres' ? stores : { ...stores, backend: 'sqlite' });
    const realm = await readDemoRealm(sql, stores);
    await sql.close();
    const now = Math.floor(Date.now() / 1000);
    const cheapUser = backend === 'memory' ? await addCheapUser({ ...stores, backend: 'sqlite' }, realm) : undefined;
    if (backend !== 'memory') {
      config.seedSeconds = await seedSessions(stores, realm, tag, population, now);
      log(`  seeded ${population} sessions in ${config.seedSeconds.toFixed(1)} s`);
    }

    server = await startHoldfast({ stores, port, bundle });
    config.restartMs = server.readyMs;
    config.rssIdleBytes = rssBytes(server.pid);
    log(`  ready in ${server.readyMs.toFixed(0)} ms with ${backend === 'memory' ? 0 : population} sessions stored`);
    let target = holdfastTarget(server.url, undefined, server.managementUrl);
    const issuer = `${server.url}/realms/demo`;

    if (backend === 'memory') {
      // Volatile sessions can only be created through the API: the cheap-hash user opens them.
      const bodies = new Array(population).fill(`grant_type=password&username=${cheapUser!.username}&password=${cheapUser!.password}`);
      const job: HttpJob = { ...(jobFor(SCENARIOS[0], target, { refreshTokens: [], resourceRefreshTokens: [], accessTokens: [], rotatingTokens: [] }, 0) as HttpJob), bodies, once: true, connections: 8 };
      const created = await load.run(job);
      log(`  opened ${created.ok} sessions through the API at ${created.rps.toFixed(0)}/s`);
      config.sessionsInMemory = created.ok;
    } else {
      const fill = Math.min(population, backend === 'sqlite' ? 10_000 : options.cacheFill);
      const tokens = await mintRefreshTokens(realm, issuer, tag, sampleSeeded(population, fill), now);
      const sample = Math.min(options.missSample, fill);
      config.cacheMiss = await load.run(firstTouchJob(target, tokens.slice(0, sample), 1));
      const rest = await load.run(firstTouchJob(target, tokens.slice(sample), 8));
      log(`  first-touch refresh p50 ${config.cacheMiss.p50.toFixed(1)} p99 ${config.cacheMiss.p99.toFixed(1)} ms (${config.cacheMiss.failed + rest.failed} failed); cache filled with ${fill}`);
      if (config.cacheMiss.failed > 0) log(`  first-touch failures: ${config.cacheMiss.sample}`);
      config.sessionsInMemory = backend === 'redis' ? 0 : config.cacheMiss.ok + rest.ok;
      if (backend === 'postgres') {
        config.storeLookup = await storeLookup(stores.dbUrl!, sampleSeeded(population, 2000).map((n) => seededId(tag, n)));
        log(`  PostgreSQL session read p50 ${config.storeLookup.p50.toFixed(2)} p99 ${config.storeLookup.p99.toFixed(2)} ms`);
      }
    }
    config.rssCachedBytes = rssBytes(server.pid);
    Object.assign(config, await scrapeHeap(server.managementUrl!));

    config.floor = await runSigningFloor(options.mode === 'quick' ? 1 : 2);
    log(`  signing floor now: RS256 ${config.floor.rs256.toFixed(0)}/s, ES256 ${config.floor.es256.toFixed(0)}/s`);
    const record = (scenario: Scenario, measured: Measured, pairedPeer?: LoadResult) =>
      report.runs.push({
        scenario: scenario.name,
        server: 'holdfast',
        backend,
        population,
        ...measured.result,
        writesPerRequest: measured.writes && measured.writes.requests > 0 ? measured.writes.totalWrites / measured.writes.requests : undefined,
        writes: measured.writes?.writes,
        pairedPeerRps: pairedPeer?.rps,
      });
    await runScenarios(load, target, options.scenarios.filter((s) => !s.rotation), options, record, peer);

    const rotating = options.scenarios.filter((s) => s.rotation);
    if (rotating.length > 0) {
      const switched = await enableRotation(server, stores, port, bundle);
      server = switched.server;
      config.rotationSwitch = switched.how;
      if (switched.how === 'database') config.restartAgainMs = server.readyMs;
      target = holdfastTarget(server.url, undefined, server.managementUrl);
      await runScenarios(load, target, rotating, options, record, peer);
    }
    if (backend !== 'memory' && !bundle && options.bundle) {
      // The same restart without compiling TypeScript on the way: what of it is tsx, what is holdfast.
      await server.stop();
      server = await startHoldfast({ stores, port, bundle: options.bundle });
      config.restartBundledMs = server.readyMs;
      log(`  bundled build ready in ${server.readyMs.toFixed(0)} ms`);
    }
  } catch (error) {
    config.error = (error as Error).message;
    log(`  FAILED: ${(error as Error).stack}\n${server?.output().slice(-3000) ?? ''}`);
  } finally {
    await server?.stop();
    const redisKeys = await throwaway.remove();
    if (stores.redisPrefix) log(`  removed ${redisKeys} Redis keys`);
  }
}

/** Runs every scenario against the peer, which then stays up for the paired runs. */
async function runPeer(load: LoadGenerator, options: Options, report: RunReport): Promise<Running | undefined> {
  const port = await freePort();
  log('oidc-provider (in-memory adapter)');
  let peer: Running | undefined;
  try {
    peer = await startPeer(port);
    await runScenarios(load, peerTarget(peer.url), options.scenarios, options, (scenario, measured) =>
      report.runs.push({ scenario: scenario.name, server: 'oidc-provider', ...measured.result }),
    );
    report.peer = { readyMs: peer.readyMs, rssBytes: rssBytes(peer.pid) };
    return peer;
  } catch (error) {
    report.peer = { readyMs: peer?.readyMs ?? NaN, rssBytes: NaN, error: (error as Error).message };
    log(`  peer FAILED: ${(error as Error).stack}\n${peer?.output().slice(-3000) ?? ''}`);
    await peer?.stop();
    return undefined;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (os.cpus().length < 2) throw new Error('the bench needs two CPUs: the server on CPU 0, the load on CPU 1');
  if (options.profile) {
    const load = await LoadGenerator.start();
    try {
      // With --scenarios, those are profiled; else the refresh paths.
      const named = process.argv.includes('--scenarios') ? options.scenarios.map((s) => s.name) : undefined;
      const backend = process.argv.includes('--backends') ? options.backends[0] : 'sqlite';
      await profileRefresh(load, options.mode === 'quick' ? 6 : 16, named, backend);
    } finally {
      await load.stop();
    }
    return;
  }
  const started = Date.now();
  const report: RunReport = {
    date: new Date().toISOString().slice(0, 10),
    mode: options.mode,
    runtime: options.runtime,
    timing: { seconds: options.seconds, warmupSeconds: options.warmupSeconds },
    machine: {
      cpus: os.cpus().length,
      node: process.versions.node,
      note: 'Absolute numbers on a shared machine are noise; the ratios within one run are the figures.',
    },
    configs: [],
    runs: [],
  };
  options.bundle = await buildBundle();
  if (options.runtime === 'bundle' && !options.bundle) throw new Error('--runtime bundle needs esbuild (installed with tsx)');
  log('signing floor and cache memory probes');
  report.floor = await runSigningFloor(options.mode === 'quick' ? 2 : 4);
  report.cacheMemory = await cacheMemoryProbe(10_000);
  const load = await LoadGenerator.start();
  let peer: Running | undefined;
  try {
    if (options.peer) peer = await runPeer(load, options, report);
    for (const population of options.populations) {
      for (const backend of options.backends) {
        // Memory sessions can only be opened through the API; a million would take longer than the whole bench.
        if (backend === 'memory' && population > 100_000) {
          log(`holdfast memory @${population}: skipped (sessions can only be created through the API)`);
          continue;
        }
        await runHoldfastConfig(load, backend, population, options, report, peer && peerTarget(peer.url));
      }
    }
  } finally {
    await load.stop();
    await peer?.stop();
    if (options.bundle) fs.rmSync(path.dirname(options.bundle), { recursive: true, force: true });
  }
  console.log(renderMarkdown(report));
  const files = writeResults(report, options.out);
  log(`wrote ${files.length} files to ${options.out} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
