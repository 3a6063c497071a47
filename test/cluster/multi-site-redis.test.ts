/**
 * Issue 16, second acceptance line: clusterless multi-site on Redis. Site A holds the Redis master
 * and two holdfast nodes, site B the replica and two nodes; three Sentinels watch the master
 * (`--sessions-url redis+sentinel://…`), and every write that must survive a site is confirmed by
 * the replica (`--sessions-redis-wait-replicas 1`). Realms live in one PostgreSQL database both
 * sites reach (its own multi-site story is the PostgreSQL test's).
 *
 * 300 sessions are created through A, each refreshed once through B, 30 logged out through A; a
 * replica that stops answering makes writes fail with 503 rather than be acknowledged; then the
 * master, A's nodes and A's Sentinel are killed with SIGKILL at once while B keeps serving a load,
 * the two remaining Sentinels (still a quorum of 2) promote the replica,
 * and B's nodes follow it without a restart: every acknowledged session refreshes, every
 * acknowledged logout holds, a new login works. Last, with no master at all, B answers 503 fast
 * and is not ready, and recovers by itself when the master is back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ledger, enableRotation, seededRandom, type TrackedSession } from '../support/acknowledged.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { buildBundle, freePort, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from '../support/process.ts';
import { REDIS_SERVER, sleep, until } from '../support/redis-server.ts';
import { startSentinelTopology, type SentinelTopology } from '../support/redis-sentinel.ts';
import { DEMO_SERVICE } from '../support/oidc-requests.ts';

const SESSIONS = 300;
const LOGGED_OUT = 30;
/** Load steps through site B while it loses site A (a bound, not a target). */
const MAX_LOAD_STEPS = 3000;

const tokenEndpoint = (base: string): string => `${base}/realms/demo/protocol/openid-connect/token`;

async function passwordGrant(base: string): Promise<{ status: number; body: any }> {
  const response = await fetch(tokenEndpoint(base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid', ...DEMO_SERVICE }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

async function readiness(node: RunningHoldfast): Promise<number> {
  return (await fetch(`${node.managementUrl}/health/ready`, { signal: AbortSignal.timeout(10_000) })).status;
}

/** What readiness says of the replicas that confirm writes. */
async function replicaCheck(node: RunningHoldfast): Promise<unknown> {
  const body = (await (await fetch(`${node.managementUrl}/health/ready`, { signal: AbortSignal.timeout(10_000) })).json()) as { checks: Array<{ name: string; data?: unknown }> };
  return body.checks.find((check) => check.name === 'session replicas')?.data;
}

/** Runs `step` with `concurrency` workers until every index below `count` was given out. */
async function inParallel(count: number, concurrency: number, step: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let index = next++; index < count; index = next++) await step(index);
  }));
}

describe('multi-site on Redis with Sentinel: losing the master\'s site loses no acknowledged session', { skip: fs.existsSync(REDIS_SERVER) ? false : `${REDIS_SERVER} not installed` }, () => {
  let topology: SentinelTopology;
  let database: FreshDatabase;
  let bundle: string | undefined;
  const dataDir = tempDir();
  const siteA: RunningHoldfast[] = [];
  const siteB: RunningHoldfast[] = [];

  const launch = async (kekFile: string): Promise<RunningHoldfast> => {
    const args = [
      ...['--db', 'postgres', '--db-url', database.url, '--kek-file', kekFile, '--db-pool-size', '4', '--hostname', 'http://idp.test'],
      ...['--sessions', 'redis', '--sessions-url', topology.url, '--sessions-redis-wait-replicas', '1', '--sessions-redis-wait-timeout', '500'],
    ];
    return startHoldfast({ dataDir, bundle, command: 'start', port: await freePort(), args });
  };

  before(async () => {
    [topology, database, bundle] = await Promise.all([startSentinelTopology({ downAfterMs: 1000 }), freshDatabase('holdfast_msredis'), buildBundle()]);
    const kekFile = writeKekFile(dataDir);
    siteA.push(...(await Promise.all([launch(kekFile), launch(kekFile)])));
    // Before site B starts, so its nodes read the realm with rotation on.
    await enableRotation(siteA[0].url);
    siteB.push(...(await Promise.all([launch(kekFile), launch(kekFile)])));
  });

  after(async () => {
    await Promise.all([...siteA, ...siteB].map((node) => node.stop('SIGTERM')));
    await topology?.dispose();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  });

  it('keeps every acknowledged session, logout and rotation through a site loss, and follows the promotion by itself', async () => {
    const ledger = new Ledger();
    const a = (i: number): string => siteA[i % siteA.length].url;
    const b = (i: number): string => siteB[i % siteB.length].url;

    // Created through A, each refreshed once through B, some logged out through A.
    await inParallel(SESSIONS, 6, async (i) => void (await ledger.passwordLogin(a(i))));
    assert.equal(ledger.sessions.length, SESSIONS, `logins through A: ${ledger.unexpected.join('; ')} (${ledger.unavailable} unavailable)`);
    await inParallel(SESSIONS, 6, (i) => ledger.rotate(b(i), ledger.sessions[i]));
    await inParallel(LOGGED_OUT, 6, (i) => ledger.logout(a(i), ledger.sessions[i]));
    assert.deepEqual(ledger.unexpected, []);
    assert.equal(ledger.unavailable, 0, 'nothing failed before the faults');
    assert.deepEqual(await replicaCheck(siteB[0]), { required: 1, online: 1, writes: 'confirmed by replicas' });

    // A replica that holds its connection but confirms nothing: the write is refused, not acknowledged.
    topology.replica.signal('SIGSTOP');
    let refused;
    try {
      refused = await passwordGrant(a(0));
    } finally {
      topology.replica.signal('SIGCONT');
    }
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body?.error, 'temporarily_unavailable');
    await until('logins confirmed again once the replica answers', async () => (await passwordGrant(a(0))).status === 200, 15_000);

    // Site B under load while site A goes: rotations, logins and logouts, each outcome recorded.
    const probe = (await ledger.passwordLogin(b(0))) as TrackedSession;
    assert.ok(probe, 'probe session');
    probe.busy = true;
    const random = seededRandom(Number(process.env.FAULTS_SEED ?? 16016));
    let stopping = false;
    let steps = 0;
    const load = Promise.all(Array.from({ length: 4 }, async (_, worker) => {
      while (!stopping && steps < MAX_LOAD_STEPS) {
        steps += 1;
        const base = b(worker);
        const roll = random();
        const session = ledger.live((count) => Math.floor(random() * count));
        if (!session || roll < 0.2) {
          await ledger.passwordLogin(base);
          continue;
        }
        session.busy = true;
        try {
          await (roll < 0.27 ? ledger.logout(base, session) : ledger.rotate(base, session));
        } finally {
          session.busy = false;
        }
        await sleep(10);
      }
    }));
    await sleep(500);
    const failedBefore = ledger.unavailable;
    const pidsOfB = siteB.map((node) => node.process.pid);

    const killedAt = Date.now();
    await Promise.all([topology.master.stop('SIGKILL'), topology.killSentinel(0), ...siteA.map((node) => node.stop('SIGKILL'))]);
    await topology.waitForMaster(topology.replica.port, 30_000);
    const promotedAt = Date.now();
    // The first acknowledged refresh through B after the promotion.
    let recoveredAt = 0;
    await until(
      'a refresh through site B after the promotion',
      async () => {
        const before = probe.refreshToken;
        await ledger.rotate(b(0), probe);
        if (probe.refreshToken === before) return false;
        recoveredAt = Date.now();
        return true;
      },
      30_000,
    );
    await sleep(1500);
    stopping = true;
    await load;
    probe.busy = false;
    const failed = ledger.unavailable - failedBefore;
    console.log(
      `multi-site Redis: ${failed} requests through site B failed (503 or no answer) in the window; ` +
        `promotion ${((promotedAt - killedAt) / 1000).toFixed(1)} s after the kill, first refresh through B ` +
        `${((recoveredAt - killedAt) / 1000).toFixed(1)} s after the kill (${((recoveredAt - promotedAt) / 1000).toFixed(1)} s after the promotion); ` +
        `${steps} load steps, ${ledger.acknowledged} outcomes acknowledged`,
    );

    assert.deepEqual(ledger.unexpected, [], 'answers other than success or 503');
    assert.deepEqual(siteB.map((node) => [node.process.pid, node.process.exitCode]), pidsOfB.map((pid) => [pid, null]), 'site B was not restarted');
    assert.deepEqual(await ledger.verify(b(1), { rotation: true }), []);
    const loggedOut = ledger.sessions.filter((s) => s.state === 'loggedOut').length;
    assert.ok(loggedOut >= LOGGED_OUT, `${loggedOut} logged out`);
    assert.equal((await passwordGrant(b(1))).status, 200, 'a new login through site B');
    assert.equal(await readiness(siteB[0]), 200);
    // The promoted master has no replica: writes stand alone in site B, and readiness says so.
    await until('readiness to see the promoted master alone', async () => ((await replicaCheck(siteB[0])) as { online?: number })?.online === 0, 5_000);
    assert.deepEqual(await replicaCheck(siteB[0]), { required: 1, online: 0, writes: 'standing alone on the master' });
  });

  it('answers 503 at once and is not ready while there is no master, and recovers by itself when it is back', async () => {
    const session = (await passwordGrant(siteB[0].url)).body;
    assert.ok(session?.refresh_token, 'a session before the master goes');
    await topology.replica.stop('SIGKILL');

    const refused = await passwordGrant(siteB[0].url);
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body?.error, 'temporarily_unavailable');
    assert.equal(await readiness(siteB[1]), 503);

    // The promoted server comes back on its own data (Sentinel rewrote its configuration as a master).
    await topology.replica.start();
    await until('site B ready again', async () => (await readiness(siteB[0])) === 200 && (await readiness(siteB[1])) === 200, 30_000);
    const ledger = new Ledger();
    const tracked = { refreshToken: session.refresh_token, consumed: [], state: 'live', busy: false } satisfies TrackedSession;
    await ledger.rotate(siteB[1].url, tracked);
    assert.deepEqual([ledger.acknowledged, ledger.unexpected], [1, []], 'the session made before the outage refreshes');
  });
});
