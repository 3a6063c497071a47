/**
 * `npm run bench -- --profile`: a V8 CPU profile of holdfast's refresh path under load. holdfast
 * (pinned to CPU 0; SQLite, or the first of `--backends`) runs with `--cpu-prof`; the load generator refreshes real sessions
 * (with and without `openid`) for a fixed time; on SIGTERM the profile is written and summarised
 * here as the functions with the most self time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job, LoadResult } from './load-worker.ts';
import { SCENARIOS, holdfastTarget, jobFor } from './scenarios.ts';
import { buildBundle, freePort, startHoldfast } from './server.ts';
import { setRotation, throwawayStores, type Backend } from './seed.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  percent: number;
}

/** Self time per function (summed over every node of it), largest first. */
export function summarise(profile: CpuProfile, top = 25): SelfTime[] {
  const byNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) byNode.set(profile.samples[i], (byNode.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byFunction = new Map<string, SelfTime>();
  let total = 0;
  for (const node of profile.nodes) {
    const micros = byNode.get(node.id) ?? 0;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/work\/main\//, '')}:${lineNumber + 1}` : '';
    const name = functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, ms: 0, percent: 0 };
    entry.ms += micros / 1000;
    byFunction.set(key, entry);
  }
  const entries = [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
  for (const entry of entries) entry.percent = (entry.ms * 1000 * 100) / total;
  return entries;
}

export function renderProfile(entries: SelfTime[]): string {
  return ['| self ms | % | function | where |', '|---:|---:|---|---|', ...entries.map((e) => `| ${e.ms.toFixed(0)} | ${e.percent.toFixed(1)} | ${e.name} | ${e.where} |`)].join('\n');
}

/** Profiles the refresh scenarios, or the ones named (e.g. `login_code_pkce`). */
export async function profileRefresh(load: { run(job: Job): Promise<LoadResult> }, seconds: number, names: string[] = ['refresh', 'refresh_no_openid'], backend: Backend = 'sqlite'): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-profile-'));
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-profile-out-'));
  const port = await freePort();
  const throwaway = await throwawayStores(backend, `p${Date.now().toString(36)}`, dataDir);
  // The build `npm start` runs (and the bench measures), so the profile names holdfast's functions, not tsx's loader.
  const bundle = await buildBundle();
  const { stores } = throwaway;
  const scenarios = SCENARIOS.filter((s) => names.includes(s.name));
  if (scenarios.some((s) => s.rotation)) {
    // Rotation is a realm setting, read when the realm loads: set it before the profiled start.
    const first = await startHoldfast({ stores, port, bundle });
    await first.stop();
    await setRotation(stores, true);
  }
  const server = await startHoldfast({ stores, port, bundle, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir] });
  try {
    const target = holdfastTarget(server.url);
    const sessions = await target.openSessions(16, target.service);
    // Each connection follows its own rotation chain, so every connection needs a session of its own.
    const rotating = scenarios.some((s) => s.rotation) ? await target.openSessions(64, target.rotating) : [];
    const samples = { refreshTokens: sessions.map((s) => s.refresh_token), resourceRefreshTokens: [], accessTokens: [], rotatingTokens: rotating.map((s) => s.refresh_token) };
    for (const scenario of scenarios) {
      const result = await load.run(jobFor(scenario, target, samples, seconds / 2)!);
      console.error(`${scenario.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} p99 ${result.p99} ms, failed ${result.failed}`);
    }
  } finally {
    await server.stop();
    await throwaway.remove();
  }
  const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profileDir}`);
  const kept = path.join(os.tmpdir(), `holdfast-refresh-${Date.now()}.cpuprofile`);
  fs.copyFileSync(path.join(profileDir, file), kept);
  fs.rmSync(profileDir, { recursive: true, force: true });
  console.log(renderProfile(summarise(JSON.parse(fs.readFileSync(kept, 'utf8')) as CpuProfile)));
  console.error(`profile kept at ${kept} (open it in Chrome DevTools → Performance)`);
}
