/**
 * Turns one run's measurements into the printed markdown tables, the issue's targets (met or
 * missed) and the JSON files under bench/results/. Ratios are computed within the run: the peer's
 * figure is from the same machine minutes apart, Keycloak's is its published per-vCPU figure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';
import type { LoadResult } from './load-worker.ts';
import type { CacheMemory, LookupLatency, SigningFloor } from './probes.ts';
import type { Backend } from './seed.ts';

export interface ScenarioRun extends LoadResult {
  scenario: ScenarioName;
  /** `holdfast` or `oidc-provider`. */
  server: 'holdfast' | 'oidc-provider';
  backend?: Backend;
  population?: number;
  /** Store writes per request from holdfast's /metrics, and by operation. */
  writesPerRequest?: number;
  writes?: Record<string, number>;
  /** The peer's rate in the same scenario, measured right after this run (refresh scenarios). */
  pairedPeerRps?: number;
}

export interface ConfigRun {
  backend: Backend;
  population: number;
  seedSeconds: number;
  /** Spawn to ready with `population` sessions stored (memory: nothing survives, so nothing stored). */
  restartMs: number;
  /** How rotation was switched on: admin REST API, or realm row updated while stopped (then a second restart). */
  rotationSwitch: 'admin-api' | 'database';
  restartAgainMs?: number;
  /** The same restart, running the esbuild bundle instead of tsx. */
  restartBundledMs?: number;
  rssIdleBytes: number;
  rssCachedBytes: number;
  /** V8 heap at the same moment as rssCachedBytes: what of the RSS is JavaScript objects. */
  heapUsedBytes?: number;
  heapTotalBytes?: number;
  /** Sessions held in holdfast's cache (SQL backends) or in the store itself (memory) when RSS was read. */
  sessionsInMemory: number;
  /** First-touch refreshes of stored, uncached sessions, one at a time. */
  cacheMiss?: LoadResult;
  /** The store read alone behind a miss (PostgreSQL). */
  storeLookup?: LookupLatency;
  /** The signing floor measured on the server's core just before this configuration's scenarios. */
  floor?: SigningFloor;
  error?: string;
}

export interface RunReport {
  date: string;
  mode: 'quick' | 'full';
  runtime: 'tsx' | 'bundle';
  /** Seconds of each measured run, and of the warm-up before it (absent in reports before 2026-12-04's second run). */
  timing?: { seconds: number; warmupSeconds: number };
  machine: { cpus: number; node: string; note: string };
  floor?: SigningFloor;
  cacheMemory?: CacheMemory;
  peer?: { readyMs: number; rssBytes: number; error?: string };
  configs: ConfigRun[];
  runs: ScenarioRun[];
}

const fmt = (value: number | undefined, digits = 0): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));
const ratio = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}×`);
const mb = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const population = (n: number | undefined): string => (n === undefined ? '' : n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

function label(run: ScenarioRun): string {
  return run.server === 'holdfast' ? `holdfast ${run.backend} @${population(run.population)}` : 'oidc-provider (memory)';
}

/** The peer's run of the same scenario, for the ratio. */
function peerRun(report: RunReport, scenario: ScenarioName): ScenarioRun | undefined {
  return report.runs.find((r) => r.server === 'oidc-provider' && r.scenario === scenario);
}

/** The peer's rate to compare a holdfast run with: the paired run right after it, else the peer's own pass. */
function peerRps(report: RunReport, run: ScenarioRun): number | undefined {
  if (run.server !== 'holdfast') return undefined;
  return run.pairedPeerRps ?? peerRun(report, run.scenario)?.rps;
}

function configOf(report: RunReport, run: ScenarioRun): ConfigRun | undefined {
  return report.configs.find((c) => c.backend === run.backend && c.population === run.population);
}

/** The RS256 floor a run is held to: its configuration's own measurement, else the run-wide one. */
function rs256Floor(report: RunReport, run: ScenarioRun): number | undefined {
  return configOf(report, run)?.floor?.rs256 ?? report.floor?.rs256;
}

export function scenarioTable(report: RunReport, scenario: ScenarioName): string {
  const info = SCENARIOS.find((s) => s.name === scenario)!;
  const peer = peerRun(report, scenario);
  const rows = report.runs.filter((r) => r.scenario === scenario);
  const lines = [
    `### ${info.title}`,
    '',
    `| server | req/s | p50 ms | p99 ms | × peer (peer req/s) | × Keycloak/core${info.keycloakPerCore ? ` (${info.keycloakPerCore}/s)` : ''} | writes/req | failed |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const run of rows) {
    const reference = peerRps(report, run);
    const vsPeer = reference ? `${ratio(run.rps / reference)} (${fmt(reference)}${run.pairedPeerRps !== undefined ? ', paired' : ''})` : run.server === 'holdfast' ? 'n/a' : '1.00×';
    const vsKeycloak = info.keycloakPerCore ? run.rps / info.keycloakPerCore : undefined;
    lines.push(
      `| ${label(run)} | ${fmt(run.rps)} | ${fmt(run.p50, 1)} | ${fmt(run.p99, 1)} | ${vsPeer} | ${ratio(vsKeycloak)} | ${run.writesPerRequest === undefined ? '—' : fmt(run.writesPerRequest, 3)} | ${run.failed} |`,
    );
  }
  if (!peer && scenario === 'password') lines.push('| oidc-provider (memory) | n/a: no password grant | | | | | | |');
  return lines.join('\n');
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function checkTargets(report: RunReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const sqlRefresh = report.runs.filter((r) => r.server === 'holdfast' && (r.backend === 'sqlite' || r.backend === 'postgres') && (r.scenario === 'refresh' || r.scenario === 'refresh_no_openid'));
  const vsPeer = sqlRefresh.map((r) => ({ r, x: r.rps / (peerRps(report, r) ?? NaN) })).filter((v) => Number.isFinite(v.x));
  const worstPeer = vsPeer.sort((a, b) => a.x - b.x)[0];
  checks.push({
    target: 'refresh on SQLite and PostgreSQL ≥ 1.0× oidc-provider',
    measured: worstPeer ? `lowest ${worstPeer.x.toFixed(2)}× (${label(worstPeer.r)}, ${worstPeer.r.scenario})` : 'n/a',
    met: worstPeer ? worstPeer.x >= 1 : undefined,
  });
  // Issue 18: rotation, each backend against its own bar.
  for (const [backends, bar] of [[['sqlite'], 1.0], [['postgres', 'redis'], 1.2]] as const) {
    const rotation = report.runs
      .filter((r) => r.server === 'holdfast' && r.scenario === 'refresh_rotation' && (backends as readonly string[]).includes(r.backend ?? ''))
      .map((r) => ({ r, x: r.rps / (peerRps(report, r) ?? NaN) }))
      .filter((v) => Number.isFinite(v.x))
      .sort((a, b) => a.x - b.x)[0];
    checks.push({
      target: `refresh with rotation on ${backends.join(' and ')} ≥ ${bar.toFixed(1)}× oidc-provider`,
      measured: rotation ? `lowest ${rotation.x.toFixed(2)}× (${label(rotation.r)}${rotation.r.pairedPeerRps !== undefined ? ', paired' : ''})` : 'n/a',
      met: rotation ? rotation.x >= bar : undefined,
    });
  }
  const oneSignature = sqlRefresh.filter((r) => r.scenario === 'refresh_no_openid');
  const worstFloor = oneSignature
    .map((r) => ({ r, floor: rs256Floor(report, r) ?? NaN }))
    .map((v) => ({ ...v, share: v.r.rps / v.floor }))
    .filter((v) => Number.isFinite(v.share))
    .sort((a, b) => a.share - b.share)[0];
  checks.push({
    target: '≥ 80 % of the RS256 signing floor (one signature per response)',
    measured: worstFloor ? `lowest ${(worstFloor.share * 100).toFixed(0)} % (${label(worstFloor.r)}; floor then ${fmt(worstFloor.floor)}/s)` : 'n/a',
    met: worstFloor ? worstFloor.share >= 0.8 : undefined,
  });
  const nonRotating = report.runs.filter((r) => r.server === 'holdfast' && (r.scenario === 'refresh' || r.scenario === 'refresh_no_openid') && r.writesPerRequest !== undefined);
  const mostWrites = nonRotating.sort((a, b) => b.writesPerRequest! - a.writesPerRequest!)[0];
  checks.push({
    target: '≤ 0.05 store writes per non-rotating refresh',
    measured: mostWrites ? `highest ${mostWrites.writesPerRequest!.toFixed(3)} (${label(mostWrites)})` : 'n/a',
    met: mostWrites ? mostWrites.writesPerRequest! <= 0.05 : undefined,
  });
  checks.push({
    target: '≤ 1 KB per cached session',
    measured: report.cacheMemory ? `${fmt(report.cacheMemory.bytesPerSession)} B (heap, ${report.cacheMemory.sessions} sessions)` : 'n/a',
    met: report.cacheMemory ? report.cacheMemory.bytesPerSession <= 1024 : undefined,
  });
  const at10k = report.configs.filter((c) => c.sessionsInMemory >= 10_000 && c.backend !== 'memory' && c.backend !== 'redis');
  const worstRss = at10k.sort((a, b) => b.rssCachedBytes - a.rssCachedBytes)[0];
  checks.push({
    target: 'RSS < 150 MB with 10k cached sessions',
    measured: worstRss ? `highest ${mb(worstRss.rssCachedBytes)} (${worstRss.backend} @${population(worstRss.population)})` : 'n/a (no run cached 10k sessions)',
    met: worstRss ? worstRss.rssCachedBytes < 150 * 1024 * 1024 : undefined,
  });
  const atMillion = report.configs.filter((c) => c.population >= 1_000_000 && c.backend !== 'memory' && !c.error);
  const slowest = atMillion.sort((a, b) => b.restartMs - a.restartMs)[0];
  const bundled = atMillion.filter((c) => c.restartBundledMs).sort((a, b) => b.restartBundledMs! - a.restartBundledMs!)[0];
  checks.push({
    target: 'restart-to-ready < 1 s at 1M stored sessions',
    measured: slowest
      ? `slowest ${fmt(slowest.restartMs)} ms (${slowest.backend})${bundled ? `; bundled, slowest ${fmt(bundled.restartBundledMs)} ms (${bundled.backend})` : ''}`
      : 'n/a (no 1M run)',
    met: slowest ? slowest.restartMs < 1000 : undefined,
  });
  const pgMillion = report.configs.find((c) => c.backend === 'postgres' && c.population >= 1_000_000 && c.storeLookup);
  checks.push({
    target: 'cache-miss lookup p99 < 5 ms at 1M on PostgreSQL',
    measured: pgMillion
      ? `store read p99 ${fmt(pgMillion.storeLookup!.p99, 2)} ms; whole first-touch refresh p99 ${fmt(pgMillion.cacheMiss?.p99, 1)} ms`
      : 'n/a (no PostgreSQL 1M run)',
    met: pgMillion ? pgMillion.storeLookup!.p99 < 5 : undefined,
  });
  return checks;
}

export function renderMarkdown(report: RunReport): string {
  const parts: string[] = [
    `## holdfast benchmark, ${report.date} (${report.mode}, holdfast run ${report.runtime === 'tsx' ? 'through tsx' : 'as an esbuild bundle'})`,
    '',
    `Server pinned to CPU 0, load from CPU 1; ${report.machine.cpus} CPUs, Node ${report.machine.node}.${report.timing ? ` Each run ${report.timing.seconds} s after a ${report.timing.warmupSeconds} s warm-up of the same load.` : ''} ${report.machine.note}`,
    '',
  ];
  for (const scenario of SCENARIOS) if (report.runs.some((r) => r.scenario === scenario.name)) parts.push(scenarioTable(report, scenario.name), '');

  if (report.floor) {
    const share = (scenario: ScenarioName, signatures: number) =>
      report.runs
        .filter((r) => r.server === 'holdfast' && r.scenario === scenario && r.rps > 0)
        .map((r) => `${label(r)} ${((r.rps * signatures * 100) / rs256Floor(report, r)!).toFixed(0)} %`)
        .join('; ');
    const floors = report.configs.filter((c) => c.floor).map((c) => `${c.backend} @${population(c.population)} ${fmt(c.floor!.rs256)} / ${fmt(c.floor!.es256)}`);
    parts.push(
      '### Signing floor (jose, one core)',
      '',
      `At the start: RS256 (RSA 2048) **${fmt(report.floor.rs256)}/s**, ES256 (P-256) **${fmt(report.floor.es256)}/s**. Re-measured before each configuration (RS256 / ES256): ${floors.join('; ') || 'n/a'}; each holdfast run is held to the floor measured just before it.`,
      '',
      `Share of the RS256 floor, one signature per response (refresh without openid): ${share('refresh_no_openid', 1)}.`,
      '',
      `Share with two signatures per response (refresh with openid): ${share('refresh', 2)}.`,
      '',
    );
  }

  parts.push(
    '### Stores, memory and restarts',
    '',
    '| backend @sessions | seed s | restart→ready ms (then: bundled) | RSS idle | RSS with sessions in memory | heap used / total then | first-touch refresh p50/p99 ms | store read p50/p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const c of report.configs) {
    const miss = c.cacheMiss ? `${fmt(c.cacheMiss.p50, 1)} / ${fmt(c.cacheMiss.p99, 1)}${c.cacheMiss.failed ? ` (${c.cacheMiss.failed} failed)` : ''}` : 'n/a';
    const read = c.storeLookup ? `${fmt(c.storeLookup.p50, 2)} / ${fmt(c.storeLookup.p99, 2)}` : 'n/a';
    const restart = c.backend === 'memory' ? `${fmt(c.restartMs)} (nothing survives)` : `${fmt(c.restartMs)}${c.restartBundledMs ? ` (${fmt(c.restartBundledMs)})` : ''}`;
    parts.push(
      `| ${c.backend} @${population(c.population)}${c.error ? ` — failed: ${c.error.split('\n')[0].slice(0, 120)}` : ''} | ${fmt(c.seedSeconds, 1)} | ${restart}${c.restartAgainMs ? `, ${fmt(c.restartAgainMs)}` : ''} | ${mb(c.rssIdleBytes)} | ${mb(c.rssCachedBytes)} (${c.sessionsInMemory}) | ${mb(c.heapUsedBytes)} / ${mb(c.heapTotalBytes)} | ${miss} | ${read} |`,
    );
  }
  if (report.cacheMemory) parts.push('', `Heap per cached session (holdfast's CachedSessionStore over the SQL store, one client session each): **${fmt(report.cacheMemory.bytesPerSession)} bytes**.`);
  if (report.peer) parts.push('', `oidc-provider: ready in ${fmt(report.peer.readyMs)} ms, RSS after its runs ${mb(report.peer.rssBytes)}${report.peer.error ? `; failed: ${report.peer.error}` : ''}.`);

  parts.push('', '### Targets (issue 8)', '', '| target | measured | met |', '|---|---|---|');
  for (const check of checkTargets(report)) parts.push(`| ${check.target} | ${check.measured} | ${check.met === undefined ? 'not measured' : check.met ? 'yes' : '**no**'} |`);
  return parts.join('\n');
}

/** bench/results/<date>-<scenario>.json per scenario, plus <date>-summary.json and <date>-report.md. */
export function writeResults(report: RunReport, directory: string): string[] {
  fs.mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  const write = (name: string, content: string) => {
    const file = path.join(directory, `${report.date}-${name}`);
    fs.writeFileSync(file, content);
    written.push(file);
  };
  for (const scenario of SCENARIOS) {
    const runs = report.runs.filter((r) => r.scenario === scenario.name);
    if (runs.length === 0) continue;
    write(
      `${scenario.name}.json`,
      JSON.stringify(
        {
          date: report.date,
          mode: report.mode,
          scenario: scenario.name,
          title: scenario.title,
          keycloakPerCore: scenario.keycloakPerCore ?? null,
          rs256Floor: report.floor?.rs256 ?? null,
          runs: runs.map((r) => ({
            ...r,
            vsPeer: peerRps(report, r) ? r.rps / peerRps(report, r)! : null,
            vsKeycloak: scenario.keycloakPerCore ? r.rps / scenario.keycloakPerCore : null,
          })),
        },
        null,
        2,
      ) + '\n',
    );
  }
  write('summary.json', JSON.stringify({ ...report, runs: undefined, targets: checkTargets(report) }, null, 2) + '\n');
  write('report.md', renderMarkdown(report) + '\n');
  return written;
}
