/**
 * `npm run bench:workers`: refresh throughput of one node on the embedded store with `--workers 1`
 * and `--workers N` (default 2), in interleaved rounds (1, N, 1, N, …) so that other load on a
 * shared machine weighs on both alike; the figure is the median of the per-round ratios.
 *
 * Pinning: with W workers the server (primary and workers) is allowed CPUs 0 … W-1 (`taskset`),
 * the load generator runs on CPU W when the machine has one, else on the last CPU, which it then
 * shares with a worker: on a 2-core machine the 2-worker run gives up part of its second core to
 * autocannon, so the ratio is a lower bound. The method scales to N on a machine with N+1 cores.
 *
 *   npm run bench:workers                     # 2 workers, 3 rounds of 8 s, refresh with openid
 *   npm run bench:workers -- --workers 4 --rounds 5 --seconds 10 --scenario refresh_no_openid
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LoadGenerator } from './load-generator.ts';
import { SCENARIOS, holdfastTarget, jobFor } from './scenarios.ts';
import { ROOT, freePort, median, startHoldfast, type Running } from './server.ts';
import type { LoadResult } from './load-worker.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { workers: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' }, scenario: { type: 'string' }, connections: { type: 'string' } },
});
const workers = Number(values.workers ?? 2);
const rounds = Number(values.rounds ?? 3);
const seconds = Number(values.seconds ?? 8);
const connections = Number(values.connections ?? 16);
const scenario = SCENARIOS.find((s) => s.name === (values.scenario ?? 'refresh'));
if (!scenario || !['refresh', 'refresh_no_openid'].includes(scenario.name)) throw new Error('--scenario: refresh or refresh_no_openid');
if (!(workers >= 2 && workers <= 64 && rounds >= 1 && rounds <= 20 && seconds > 0 && seconds <= 120)) throw new Error('--workers 2..64, --rounds 1..20, --seconds (0, 120]');
const cpuCount = os.cpus().length;
if (cpuCount < 2) throw new Error('needs at least two CPUs');
const loadCpu = String(Math.min(workers, cpuCount - 1));
const serverCpus = (count: number) => `0-${Math.min(count, cpuCount) - 1}`;

async function startNode(count: number, dataDir: string): Promise<Running> {
  const port = await freePort();
  const server = await startHoldfast({ stores: { backend: 'sqlite', dataDir }, port, cpus: serverCpus(count), logLevel: 'info', extraArgs: ['--workers', String(count)] });
  // Ready is worker 0; the node serves on all of them once the primary says so.
  for (let i = 0; count > 1 && !server.output().includes(`node serving with ${count} workers`); i++) {
    if (i > 600) throw new Error(`workers did not start:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return server;
}

async function measure(load: LoadGenerator, count: number, dataDir: string): Promise<LoadResult> {
  const server = await startNode(count, dataDir);
  try {
    const target = holdfastTarget(server.url);
    const sessions = await target.openSessions(16, target.service);
    const samples = { refreshTokens: sessions.map((s) => s.refresh_token), resourceRefreshTokens: [], accessTokens: [], rotatingTokens: [] };
    const job = { ...jobFor({ ...scenario!, connections }, target, samples, seconds)! };
    await load.run({ ...job, seconds: 2 });
    return await load.run(job);
  } finally {
    await server.stop();
  }
}


async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-bench-workers-'));
  const load = await LoadGenerator.start(undefined, loadCpu);
  const rows: Array<{ round: number; one: LoadResult; many: LoadResult; ratio: number }> = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const one = await measure(load, 1, dataDir);
      const many = await measure(load, workers, dataDir);
      rows.push({ round, one, many, ratio: many.rps / one.rps });
      console.error(`round ${round}: 1 worker ${one.rps.toFixed(0)} req/s, ${workers} workers ${many.rps.toFixed(0)} req/s (×${(many.rps / one.rps).toFixed(2)})${one.failed + many.failed ? ` FAILED ${one.failed + many.failed}` : ''}`);
    }
  } finally {
    await load.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 10);
  const result = {
    date,
    scenario: scenario!.name,
    workers,
    connections,
    seconds,
    cpus: { machine: cpuCount, server1: serverCpus(1), serverN: serverCpus(workers), load: loadCpu },
    loadAverage: os.loadavg(),
    rounds: rows.map((r) => ({ round: r.round, rps1: r.one.rps, rpsN: r.many.rps, p99_1: r.one.p99, p99_N: r.many.p99, failed: r.one.failed + r.many.failed, ratio: r.ratio })),
    medianRatio: median(rows.map((r) => r.ratio)),
  };
  const table = [
    `| round | 1 worker req/s | ${workers} workers req/s | × | p99 1 / ${workers} (ms) |`,
    '|---:|---:|---:|---:|---:|',
    ...result.rounds.map((r) => `| ${r.round} | ${r.rps1.toFixed(0)} | ${r.rpsN.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.p99_1} / ${r.p99_N} |`),
    `| **median** | | | **${result.medianRatio.toFixed(2)}** | |`,
  ].join('\n');
  const out = path.join(ROOT, 'bench/results', `${date}-workers-${scenario!.name}.json`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(table);
  console.error(`written ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
