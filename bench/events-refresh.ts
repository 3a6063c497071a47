/**
 * `npm run bench:events`: refresh throughput with user events stored and logged against refresh
 * with events off, on one holdfast (SQLite, the bundle, pinned to CPU 0; load from this process on
 * CPU 1). "on" stores every REFRESH_TOKEN event (listed in enabledEventTypes: Keycloak does not
 * store it by default) and writes its info log line; "off" stores nothing and has no listener.
 * Modes alternate within each round, their order swapping every round, so a neighbour's load on
 * the shared machine falls on both; the report gives each mode's median over the rounds. Besides
 * throughput it reports the server's CPU time per refresh (from /proc), which a neighbour's load
 * on a shared machine disturbs far less than throughput.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { Registry } from 'prom-client';
import { systemClock } from '../src/clock/index.ts';
import { EventRecorder, EventWriter } from '../src/events/index.ts';
import { DEFAULT_REALM_SETTINGS, type LoadedRealm } from '../src/realm/index.ts';
import { SqlEventStore, openSqlDatabase } from '../src/store/sql/index.ts';
import { ROOT, buildBundle, cpuSeconds, freePort, median, startHoldfast, LOAD_CPU } from './server.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const ROUNDS = option('rounds', 5);
const SECONDS = option('seconds', 5);
const CONNECTIONS = 8;
const SESSIONS = 64;


async function json(url: string, init: RequestInit): Promise<any> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text === '' ? undefined : JSON.parse(text);
}

/**
 * What one stored REFRESH_TOKEN event costs the process in CPU, recorded and written (batches of
 * 500 into a SQLite file) as the server does: CPU time is what a neighbour's load disturbs least.
 */
async function eventCostProbe(dataDir: string): Promise<number> {
  const count = 20_000;
  const database = await openSqlDatabase({ dialect: 'sqlite', dataDir });
  const writer = new EventWriter({ store: new SqlEventStore(database.db), flushMs: 250, batchSize: 500, maxQueued: count, onDropped: () => {}, onError: (error) => console.error(error) });
  const recorder = new EventRecorder(writer, pino({ level: 'info' }, { write: () => {} }), systemClock, new Registry());
  const settings = { ...DEFAULT_REALM_SETTINGS, eventsEnabled: true, enabledEventTypes: ['REFRESH_TOKEN'] };
  const realm = { realm: { id: 'probe-realm', name: 'probe', settings } } as unknown as LoadedRealm;
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    recorder
      .user(realm, 'REFRESH_TOKEN', '127.0.0.1')
      .client('demo-service')
      .user('0b8d1f6c-2b9e-4a43-9f2a-1d2c3e4f5a6b')
      .session('5c7e9a1b-3d5f-4b6d-8e0a-2c4e6f8a0b1c')
      .detail('grant_type', 'refresh_token')
      .detail('client_auth_method', 'client-secret')
      .detail('refresh_token_id', '6aed67eb-1aab-b551-9a8b-23b3c5c69315')
      .detail('refresh_token_type', 'Refresh')
      .detail('token_id', 'onrtrt:9e26de66-ebc8-0d49-2e6c-a77e97831ea5')
      .detail('updated_refresh_token_id', 'c7f02404-ee29-212d-61df-0b7cc079f52e')
      .detail('scope', 'openid profile email')
      .detail('username', 'alice')
      .success();
    if (writer.queued >= 500) await writer.flush();
  }
  await writer.close();
  const used = process.cpuUsage(started);
  await database.close();
  return (used.user + used.system) / count;
}

async function main(): Promise<void> {
  execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-bench-events-'));
  const bundle = await buildBundle();
  const server = await startHoldfast({ stores: { backend: 'sqlite', dataDir }, port: await freePort(), bundle, logLevel: 'info' });
  try {
    const token = async () =>
      (await json(`${server.url}/realms/master/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }),
      })).access_token as string;
    const configure = async (on: boolean) =>
      json(`${server.url}/admin/realms/demo/events/config`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
        body: JSON.stringify(on ? { eventsEnabled: true, eventsListeners: ['jboss-logging'], enabledEventTypes: ['LOGIN', 'REFRESH_TOKEN', 'REFRESH_TOKEN_ERROR'] } : { eventsEnabled: false, eventsListeners: [] }),
      });
    const basic = `Basic ${Buffer.from('demo-service:demo-service-secret').toString('base64')}`;
    const tokenPath = '/realms/demo/protocol/openid-connect/token';
    const refreshTokens: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const body = await json(`${server.url}${tokenPath}`, { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid' }) });
      refreshTokens.push(body.refresh_token);
    }
    const requests = refreshTokens.map((t) => ({
      method: 'POST' as const,
      path: tokenPath,
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(t)}`,
    }));
    const run = async (seconds: number) => {
      const cpuBefore = cpuSeconds(server.pid);
      const result = await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`refresh failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
      const cpuUsPerRefresh = ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / result.requests.total;
      return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUsPerRefresh };
    };
    type Run = Awaited<ReturnType<typeof run>>;
    const results: Record<'off' | 'on', Run[]> = { off: [], on: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        await configure(mode === 'on');
        await run(1);
        const measured = await run(SECONDS);
        results[mode].push(measured);
        console.log(`round ${round + 1} events ${mode}: ${measured.rps.toFixed(0)} refresh/s, ${measured.cpuUsPerRefresh.toFixed(0)} µs CPU per refresh, p50 ${measured.p50} ms, p99 ${measured.p99} ms`);
      }
    }
    const summary = Object.fromEntries(
      (['off', 'on'] as const).map((mode) => [mode, Object.fromEntries((['rps', 'p50', 'p99', 'cpuUsPerRefresh'] as const).map((key) => [key, median(results[mode].map((r) => r[key]))])) as Run]),
    ) as Record<'off' | 'on', Run>;
    const ratio = summary.on.rps / summary.off.rps;
    const cpuRatio = summary.on.cpuUsPerRefresh / summary.off.cpuUsPerRefresh;
    console.log(`\n| events | refresh/s (median of ${ROUNDS}) | CPU µs per refresh | p50 ms | p99 ms |\n|---|---|---|---|---|`);
    for (const mode of ['off', 'on'] as const) {
      const m = summary[mode];
      console.log(`| ${mode} | ${m.rps.toFixed(0)} | ${m.cpuUsPerRefresh.toFixed(0)} | ${m.p50} | ${m.p99} |`);
    }
    console.log(`\nwith events: throughput ${((ratio - 1) * 100).toFixed(1)} %, CPU per refresh ${((cpuRatio - 1) * 100).toFixed(1)} % (target: within 5 %)`);
    const eventCpuUs = await eventCostProbe(fs.mkdtempSync(path.join(dataDir, 'probe-')));
    console.log(`one stored event: ${eventCpuUs.toFixed(1)} µs CPU, ${((eventCpuUs / summary.off.cpuUsPerRefresh) * 100).toFixed(2)} % of a refresh without events`);
    const out = path.join(ROOT, 'bench/results', `events-refresh-${new Date().toISOString().slice(0, 10)}.json`);
    fs.writeFileSync(out, `${JSON.stringify({ rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, runs: results, summary, ratio, cpuRatio, eventCpuUs }, null, 2)}\n`);
    console.log(`written: ${path.relative(ROOT, out)}`);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
