/**
 * Acceptance for multi-site on PostgreSQL (issue 16): site A holds the primary, site B its
 * synchronous standby (pg_basebackup -R, synchronous_standby_names), two holdfast processes per
 * site, each given both hosts in one --db-url with its own site's first. 300 sessions are created
 * through A, each refreshed once through B, 30 logged out through A. Then A's nodes and its
 * primary are killed with SIGKILL together while a bounded loop keeps refreshing (and logging in)
 * through B, and the standby is promoted. Afterwards every live session refreshes through B, the
 * logged-out ones stay out, B's processes are the same ones, a new login through B works, and a
 * login acknowledged during the window is usable. The failure-window figures are printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inBatches, logoutWithRefreshToken, passwordGrant, refresh } from '../support/oidc-requests.ts';
import { postgresBinaries } from '../support/private-postgres.ts';
import type { RunningHoldfast } from '../support/process.ts';
import { TwoSites } from '../support/two-sites.ts';
import { sleep, until } from '../support/redis-server.ts';

const SESSIONS = 300;
const LOGGED_OUT = 30;
const CONCURRENCY = 6;
/** Bounds on the failure-window loop, whatever happens. */
const WINDOW_MAX_REQUESTS = 20_000;
const WINDOW_MAX_MS = 60_000;

type Answer = { status: number; body: any };
const attempt = (request: () => Promise<Answer>): Promise<Answer> => request().catch((error: Error) => ({ status: 0, body: { error: error.message } }));
const readiness = async (node: RunningHoldfast): Promise<any> => (await fetch(`${node.managementUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) })).json();

describe('multi-site on PostgreSQL: site A lost with its primary, the standby promoted', { skip: postgresBinaries() ? false : 'no PostgreSQL server binaries' }, () => {
  const sites = new TwoSites();
  const { siteA, siteB } = sites;

  before(() => sites.start({ database: 'holdfast_sites' }));
  after(() => sites.dispose());

  it('keeps every acknowledged session and logout, and site B serves again after the promotion without a restart', async (t) => {
    const bNode = (i: number) => siteB[i % siteB.length].url;
    const aNode = (i: number) => siteA[i % siteA.length].url;
    const ready = await readiness(siteB[0]);
    assert.deepEqual(ready.checks[1]?.data?.synchronous, true, JSON.stringify(ready));

    const tokens = await inBatches(Array.from({ length: SESSIONS }), CONCURRENCY, async (_, i) => {
      const { status, body } = await passwordGrant(aNode(i));
      assert.equal(status, 200, JSON.stringify(body));
      return body.refresh_token as string;
    });
    await inBatches(tokens, CONCURRENCY, async (token, i) => {
      const { status, body } = await refresh(bNode(i), token);
      assert.equal(status, 200, JSON.stringify(body));
      tokens[i] = body.refresh_token;
    });
    const loggedOut = tokens.slice(0, LOGGED_OUT);
    const live = tokens.slice(LOGGED_OUT);
    await inBatches(loggedOut, CONCURRENCY, async (token, i) => assert.equal(await logoutWithRefreshToken(aNode(i), token), 204));

    // The failure window: refreshes and logins through B, bounded in count and time.
    const statuses = new Map<number, number>();
    const windowLogins: Array<{ status: number; token?: string }> = [];
    let promotedAt: number | undefined;
    let firstRefreshAfterPromotion: number | undefined;
    let requests = 0;
    let stopping = false;
    const windowStarted = Date.now();
    const worker = async (w: number) => {
      for (let i = w; !stopping && requests < WINDOW_MAX_REQUESTS && Date.now() - windowStarted < WINDOW_MAX_MS; i += CONCURRENCY) {
        requests += 1;
        const login = i % 25 === 0;
        const answer = await attempt(() => (login ? passwordGrant(bNode(i)) : refresh(bNode(i), live[i % live.length])));
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (login) windowLogins.push({ status: answer.status, token: answer.body.refresh_token });
        else if (answer.status === 200) {
          live[i % live.length] = answer.body.refresh_token;
          if (promotedAt !== undefined && firstRefreshAfterPromotion === undefined) firstRefreshAfterPromotion = Date.now();
        }
        if (answer.status !== 200) await sleep(25);
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, (_, w) => worker(w));
    try {
      await until('refreshes through B before the loss', async () => (statuses.get(200) ?? 0) >= 50, 30_000);
      // Site A is gone at once: its nodes and its database server.
      for (const node of siteA) node.process.kill('SIGKILL');
      await sites.primary.kill();
      await until('B refuses while no primary is writable', async () => (statuses.get(503) ?? 0) >= 10, 20_000);
      const notReady = await readiness(siteB[0]);
      assert.equal(notReady.status, 'DOWN', JSON.stringify(notReady));

      promotedAt = Date.now();
      await sites.standby.promote();
      await until('a refresh through B after the promotion', async () => firstRefreshAfterPromotion !== undefined, 30_000);
      await until('B ready again', async () => (await readiness(siteB[0])).status === 'UP' && (await readiness(siteB[1])).status === 'UP', 30_000);
      await sleep(500);
    } finally {
      stopping = true;
      await Promise.all(workers);
    }
    const failed = [...statuses].filter(([status]) => status !== 200).reduce((sum, [, count]) => sum + count, 0);
    t.diagnostic(
      `promotion -> first successful refresh through B: ${firstRefreshAfterPromotion! - promotedAt!} ms; ` +
        `window: ${requests} requests, ${failed} failed (${JSON.stringify(Object.fromEntries(statuses))})`,
    );
    // A failed request is a quick 503 (or a connection error), never a 500.
    assert.deepEqual([...statuses.keys()].filter((status) => ![200, 503].includes(status)), [], JSON.stringify(Object.fromEntries(statuses)));

    for (const node of siteB) assert.deepEqual([node.process.exitCode, node.process.signalCode], [null, null], `a site B node exited:\n${node.output()}`);
    assert.doesNotMatch(siteB.map((node) => node.output()).join('\n'), /unhandled|uncaught/i);
    await inBatches(live, CONCURRENCY, async (token, i) => {
      const { status, body } = await refresh(bNode(i), token);
      assert.equal(status, 200, `live session ${i}: ${JSON.stringify(body)}`);
    });
    await inBatches(loggedOut, CONCURRENCY, async (token, i) => {
      const { status, body } = await refresh(bNode(i), token);
      assert.equal(status, 400, `logged-out session ${i}: ${JSON.stringify(body)}`);
      assert.equal(body.error, 'invalid_grant');
    });
    // Acknowledged during the window means usable now; refused means nothing to keep.
    for (const [i, login] of windowLogins.entries()) {
      if (login.status !== 200) continue;
      const { status, body } = await refresh(bNode(i), login.token!);
      assert.equal(status, 200, `login acknowledged in the window: ${JSON.stringify(body)}`);
    }
    const fresh = await passwordGrant(bNode(0));
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    assert.equal((await refresh(bNode(1), fresh.body.refresh_token)).status, 200);

    // The new primary has no standby yet: said, not hidden, and no reason to stop serving.
    await until('the missing standby is reported', async () => (await readiness(siteB[1])).checks[1]?.data?.synchronous === false, 20_000);
    assert.equal((await readiness(siteB[1])).status, 'UP');
  });
});
