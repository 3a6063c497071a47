/**
 * Multi-site on PostgreSQL (issue 16), the other site loss: site B goes with its two holdfast
 * processes and the synchronous standby, while site A keeps the primary and two processes under
 * load. Every commit on the primary then waits for a standby that is not there, so site A's
 * writes must answer 503 `temporarily_unavailable` within `--db-query-timeout` (never hang, never
 * be acknowledged) and its nodes must be not ready, naming the standby. The operator lets site A
 * go on alone by emptying `synchronous_standby_names`; site A then serves by itself (no
 * restart), every acknowledged session and logout holds, and once the standby is back and named
 * again, commits are synchronous again. The failure-window figures are printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ledger, enableRotation, mixedStep, seededRandom, type TrackedSession } from '../support/acknowledged.ts';
import { postgresBinaries } from '../support/private-postgres.ts';
import type { RunningHoldfast } from '../support/process.ts';
import { TwoSites } from '../support/two-sites.ts';
import { sleep, until } from '../support/redis-server.ts';

const SESSIONS = 120;
const LOGGED_OUT = 12;
const QUERY_TIMEOUT_MS = 1500;
/** Load steps through site A while it loses site B (a bound, not a target). */
const MAX_LOAD_STEPS = 4000;

const readiness = async (node: RunningHoldfast): Promise<{ httpStatus: number; body: any }> => {
  const response = await fetch(`${node.managementUrl}/health/ready`, { signal: AbortSignal.timeout(10_000) });
  return { httpStatus: response.status, body: await response.json() };
};

/** Runs `step` with `concurrency` workers until every index below `count` was given out. */
async function inParallel(count: number, concurrency: number, step: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let index = next++; index < count; index = next++) await step(index);
  }));
}

describe('multi-site on PostgreSQL: the standby\'s site lost, the primary\'s site goes on alone', { skip: postgresBinaries() ? false : 'no PostgreSQL server binaries' }, () => {
  const sites = new TwoSites();
  const { siteA, siteB } = sites;

  before(() =>
    sites.start({
      database: 'holdfast_standby_site',
      args: ['--db-query-timeout', String(QUERY_TIMEOUT_MS)],
      // Rotation makes every refresh a write, which must wait for the standby like any other.
      afterFirstNode: (node) => enableRotation(node.url),
    }),
  );
  after(() => sites.dispose());

  it('refuses writes in site A while no standby confirms, serves alone once the operator says so, and loses nothing acknowledged', async (t) => {
    const ledger = new Ledger();
    const a = (i: number) => siteA[i % siteA.length].url;
    const b = (i: number) => siteB[i % siteB.length].url;

    // Created through B (its writes cross to the primary in A), rotated through A, some logged out through B.
    await inParallel(SESSIONS, 6, (i) => ledger.passwordLogin(b(i)));
    assert.equal(ledger.sessions.length, SESSIONS, `logins through B: ${ledger.unexpected.join('; ')} (${ledger.unavailable} unavailable)`);
    await inParallel(SESSIONS, 6, (i) => ledger.rotate(a(i), ledger.sessions[i]));
    await inParallel(LOGGED_OUT, 6, (i) => ledger.logout(b(i), ledger.sessions[i]));
    assert.deepEqual([ledger.unexpected, ledger.unavailable], [[], 0], 'nothing failed before the fault');

    // Site A under load while site B goes: rotations, logins and logouts, each outcome recorded.
    const random = seededRandom(Number(process.env.FAULTS_SEED ?? 16017));
    let stopping = false;
    let steps = 0;
    const load = Promise.all(Array.from({ length: 4 }, async (_, worker) => {
      while (!stopping && steps < MAX_LOAD_STEPS) {
        steps += 1;
        const before = ledger.unavailable;
        await mixedStep(ledger, a(worker), random);
        await sleep(ledger.unavailable > before ? 100 : 10);
      }
    }));
    const pidsOfA = siteA.map((node) => node.process.pid);
    try {
      await until('load through A before the loss', async () => ledger.acknowledged >= SESSIONS * 2 + LOGGED_OUT + 40, 30_000);
      const failedBefore = ledger.unavailable;

      // Site B is gone at once: its nodes and the sites.standby.
      const killedAt = Date.now();
      await Promise.all([sites.standby.kill(), ...siteB.map((node) => node.stop('SIGKILL'))]);
      await until('writes through A refused while no standby confirms', async () => ledger.unavailable - failedBefore >= 8, 30_000);
      await until('A not ready, naming the standby', async () => (await readiness(siteA[0])).httpStatus === 503 && (await readiness(siteA[1])).httpStatus === 503, 30_000);
      const unreadyAt = Date.now();
      const { body } = await readiness(siteA[1]);
      assert.match(body.checks[0].data.reason, /synchronous standby in synchronous_standby_names='site_b', which does not confirm/, JSON.stringify(body));

      // A login tried now is refused within the bound (plus the pool's wait once its connections are held by waiting commits).
      const tried = Date.now();
      const refused = await ledger.passwordLogin(a(0));
      const refusedInMs = Date.now() - tried;
      assert.equal(refused, undefined, 'a login acknowledged while no standby confirmed');
      assert.ok(refusedInMs < 15_000, `a refused login took ${refusedInMs} ms`);

      // The operator decides that site A goes on alone.
      await sites.primary.query("ALTER SYSTEM SET synchronous_standby_names = ''");
      await sites.primary.query('SELECT pg_reload_conf()');
      const decidedAt = Date.now();
      let firstWriteAt = 0;
      await until(
        'a login through A after the decision',
        async () => {
          if (!(await ledger.passwordLogin(a(1)))) return false;
          firstWriteAt = Date.now();
          return true;
        },
        30_000,
      );
      await until('A ready again', async () => (await readiness(siteA[0])).httpStatus === 200 && (await readiness(siteA[1])).httpStatus === 200, 30_000);
      await sleep(500);
      stopping = true;
      await load;
      t.diagnostic(
        `standby site lost: ${ledger.unavailable - failedBefore} requests through A answered 503 (or nothing) in the window of ${steps} load steps; ` +
          `both A nodes unready ${((unreadyAt - killedAt) / 1000).toFixed(1)} s after the kill; a login tried in the window refused after ${refusedInMs} ms (bound ${QUERY_TIMEOUT_MS} ms); ` +
          `first acknowledged login ${firstWriteAt - decidedAt} ms after synchronous_standby_names was emptied (${((firstWriteAt - killedAt) / 1000).toFixed(1)} s after the kill)`,
      );
    } finally {
      stopping = true;
      await load;
    }

    assert.deepEqual(ledger.unexpected, [], 'answers other than success or 503');
    assert.deepEqual(siteA.map((node) => [node.process.pid, node.process.exitCode, node.process.signalCode]), pidsOfA.map((pid) => [pid, null, null]), 'site A was not restarted');
    assert.doesNotMatch(siteA.map((node) => node.output()).join('\n'), /unhandled|uncaught/i);
    assert.deepEqual(await ledger.verify(a(0), { rotation: true }), []);
    assert.ok(ledger.sessions.filter((s) => s.state === 'loggedOut').length >= LOGGED_OUT);
    const { body: alone } = await readiness(siteA[0]);
    assert.equal(alone.checks[1].data.synchronous, false, JSON.stringify(alone));
    assert.match(alone.checks[1].data.detail, /no synchronous standby configured/);

    // Site B's database returns as the standby it was and is named again: synchronous once more.
    await sites.standby.start();
    await until('the standby streams again', async () => (await sites.primary.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'"))[0].n === 1, 30_000);
    await sites.primary.requireSynchronous('site_b');
    await until('the standby confirms commits again', async () => (await sites.synchronousStandbys()) === 1, 30_000);
    await until('A says commits are synchronous again', async () => (await readiness(siteA[1])).body.checks[1]?.data?.synchronous === true, 20_000);
    const session = (await ledger.passwordLogin(a(0))) as TrackedSession;
    assert.ok(session, 'a login once the standby confirms again');
    await ledger.rotate(a(1), session);
    assert.deepEqual(ledger.unexpected, []);
  });
});
