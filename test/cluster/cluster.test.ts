/**
 * Acceptance for the cluster on PostgreSQL: three holdfast processes on one fresh database behind
 * HAProxy (deploy/haproxy.cfg on free loopback ports), 500 sessions refreshed continuously
 * through HAProxy while
 *   (a) the nodes are restarted one at a time with SIGTERM: no session lost, < 1 % connection errors;
 *   (b) a node is killed with SIGKILL: no session lost, and a login begun on that node completes;
 * then (c) a logout on one node is refused by the others within a second (also after the
 * listener connections were cut), and (d) one session refreshed concurrently on all three nodes
 * gives no deadlock and no 5xx. Skipped when HAProxy or PostgreSQL is missing, except under CI.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { CookieJar, formAction, get, postForm } from '../support/browser.ts';
import { haproxyBinary, startCluster, type TestCluster } from '../support/cluster.ts';
import { authorizationRequest, inBatches, logoutWithRefreshToken, passwordGrant, redeemCode, refresh } from '../support/oidc-requests.ts';
import { freshDatabase } from '../support/postgres.ts';
import { RefreshLoad, type LoadResult } from '../support/refresh-load.ts';
import { PgInvalidationBus } from '../../src/cluster/index.ts';
import { openSqlDatabase } from '../../src/store/sql/index.ts';

const SESSIONS = 500;
const CONCURRENCY = 12;
/** A bound on each load phase, whatever happens. */
const MAX_REQUESTS = 60_000;

async function unavailable(): Promise<string | undefined> {
  if (!haproxyBinary()) return 'haproxy is not installed';
  try {
    await (await freshDatabase('holdfast_probe')).drop();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
const skip = process.env.CI ? false : await unavailable();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilRequests(load: RefreshLoad, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (load.requests < count && Date.now() < deadline) await sleep(50);
}

function report(t: TestContext, phase: string, result: LoadResult): void {
  const rate = result.requests === 0 ? 0 : (100 * result.connectionErrors) / result.requests;
  t.diagnostic(
    `${phase}: ${result.refreshed} refreshes in ${result.requests} requests, ${result.lost.length} sessions lost, ` +
      `${result.connectionErrors} connection errors (${rate.toFixed(3)} %, all retried), ${result.unexpected.length} unexpected answers`,
  );
}

function assertNothingLost(result: LoadResult): void {
  assert.deepEqual(result.lost, []);
  assert.deepEqual(result.unexpected, []);
  assert.ok(result.connectionErrors / Math.max(1, result.requests) < 0.01, `connection errors: ${result.connectionErrors} of ${result.requests}`);
}

describe('cluster of three nodes behind HAProxy', { skip }, () => {
  let cluster: TestCluster;
  const tokens: string[] = [];

  before(async () => {
    cluster = await startCluster(3);
    const sessions = await inBatches(Array.from({ length: SESSIONS }), CONCURRENCY, async () => {
      const { status, body } = await passwordGrant(cluster.url);
      assert.equal(status, 200, JSON.stringify(body));
      return body.refresh_token as string;
    });
    tokens.push(...sessions);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('(a) loses no session while the nodes restart one at a time (SIGTERM)', async (t) => {
    const load = new RefreshLoad(cluster.url, tokens, { concurrency: CONCURRENCY, maxRequests: MAX_REQUESTS }).start();
    await untilRequests(load, 500);
    for (let index = 0; index < cluster.nodes.length; index += 1) {
      assert.equal(await cluster.stopNode(index, 'SIGTERM'), 0);
      await cluster.startNode(index);
    }
    await untilRequests(load, load.requests + 500);
    const result = await load.stop();
    report(t, 'rolling restart', result);
    assertNothingLost(result);

    const check = await new RefreshLoad(cluster.url, tokens, { concurrency: CONCURRENCY, maxRequests: MAX_REQUESTS }).pass();
    report(t, 'after the restarts, every session once', check);
    assert.equal(check.refreshed, SESSIONS);
    assertNothingLost(check);
  });

  it('(b) loses no session when a node is killed (SIGKILL), and a login begun there completes', async (t) => {
    const load = new RefreshLoad(cluster.url, tokens, { concurrency: CONCURRENCY, maxRequests: MAX_REQUESTS }).start();
    await untilRequests(load, 500);

    // A login pinned (by its AUTH_SESSION_ID route) to the node about to die.
    const jar = new CookieJar();
    const { url, verifier } = authorizationRequest(cluster.url, 'killed-node');
    const page = await get(url, jar);
    assert.equal(page.status, 200);
    const html = await page.text();
    const [, route] = jar.get('AUTH_SESSION_ID')!.split('.');
    const victim = cluster.nodeIndex(route);
    assert.equal(await cluster.stopNode(victim, 'SIGKILL'), null);

    const login = await postForm(formAction(html), { username: 'alice', password: 'alice', credentialId: '' }, jar);
    assert.equal(login.status, 302, await login.text());
    const location = new URL(login.headers.get('location')!);
    assert.equal(location.searchParams.get('state'), 'killed-node');
    const redeemed = await redeemCode(cluster.url, { code: location.searchParams.get('code')!, verifier });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));

    await cluster.waitForServer(route, 'DOWN');
    await untilRequests(load, load.requests + 1000);
    const result = await load.stop();
    report(t, `kill -9 of ${route}`, result);
    assertNothingLost(result);

    await cluster.startNode(victim);
    const check = await new RefreshLoad(cluster.url, tokens, { concurrency: CONCURRENCY, maxRequests: MAX_REQUESTS }).pass();
    report(t, 'after the kill, every session once', check);
    assert.equal(check.refreshed, SESSIONS);
    assertNothingLost(check);
  });

  /** Logs out on node 1 a session node 2 has cached; returns how long node 2 kept honouring it. */
  async function logoutPropagation(): Promise<number> {
    const [one, two] = cluster.nodes;
    const { body } = await passwordGrant(one.url);
    const cached = await refresh(two.url, body.refresh_token);
    assert.equal(cached.status, 200);
    assert.equal(await logoutWithRefreshToken(one.url, body.refresh_token), 204);
    const loggedOutAt = Date.now();
    for (;;) {
      const attempt = await refresh(two.url, cached.body.refresh_token);
      const elapsed = Date.now() - loggedOutAt;
      if (attempt.status === 400) {
        assert.equal(attempt.body.error, 'invalid_grant');
        return elapsed;
      }
      assert.equal(attempt.status, 200);
      assert.ok(elapsed < 1000, `node 2 still refreshes a logged-out session after ${elapsed} ms`);
      await sleep(20);
    }
  }

  it('(c) refuses a session logged out on another node within a second, also after the listeners were cut', async (t) => {
    const elapsed = await logoutPropagation();
    t.diagnostic(`logout on node1 refused by node2 after ${elapsed} ms`);

    const admin = new pg.Client({ connectionString: cluster.database.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'holdfast-listener'`,
      );
      assert.equal(rowCount, 3);
      // Every node listens again (a bounded backoff), then propagation works as before.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'holdfast-listener'`);
        if (rows[0].n === 3) break;
        assert.ok(Date.now() < deadline, 'listeners did not reconnect');
        await sleep(50);
      }
    } finally {
      await admin.end();
    }
    const again = await logoutPropagation();
    t.diagnostic(`after the listeners were cut and reconnected: refused after ${again} ms`);
  });

  it('(d) refreshes one session concurrently on three nodes without deadlock or 5xx', async (t) => {
    // Refresh-token rotation on (a compare-and-set per refresh), and a stored last refresh old
    // enough that every node also writes its touch: the statements that could contend.
    const admin = new pg.Client({ connectionString: cluster.database.url });
    await admin.connect();
    const database = await openSqlDatabase({ dialect: 'postgres', url: cluster.database.url, poolSize: 2 });
    const bus = new PgInvalidationBus({ url: cluster.database.url, db: database.db, origin: 'test', log: { info() {}, warn() {}, error() {} } });
    await bus.start();
    const deadlocks = async () => (await admin.query('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()')).rows[0].deadlocks as number;
    try {
      const realm = (await admin.query(`SELECT id, settings FROM realm WHERE name = 'demo'`)).rows[0];
      const settings = { ...JSON.parse(realm.settings), revokeRefreshToken: true, refreshTokenMaxReuse: 10_000 };
      await admin.query('UPDATE realm SET settings = $1 WHERE id = $2', [JSON.stringify(settings), realm.id]);
      await bus.publish({ kind: 'realm', id: realm.id });

      const { body } = await passwordGrant(cluster.url);
      const aged = (await admin.query('UPDATE user_session SET last_refresh = last_refresh - 120 WHERE id = $1 RETURNING last_refresh', [body.session_state])).rows[0];
      await admin.query('UPDATE client_session SET timestamp = timestamp - 120 WHERE user_session_id = $1', [body.session_state]);
      await bus.publish({ kind: 'userSession', id: body.session_state, offline: false });

      const deadlocksBefore = await deadlocks();
      const statuses = await Promise.all(
        cluster.nodes.flatMap((node) => Array.from({ length: 40 }, () => refresh(node.url, body.refresh_token).then((r) => r.status))),
      );
      const counts: Record<number, number> = {};
      for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
      t.diagnostic(`120 concurrent refreshes of one session on 3 nodes: ${JSON.stringify(counts)}`);
      assert.deepEqual(counts, { 200: 120 });
      // Let the touch batches land, then ask PostgreSQL whether anything deadlocked.
      await sleep(1500);
      assert.equal(await deadlocks(), deadlocksBefore);
      const stored = (await admin.query('SELECT last_refresh FROM user_session WHERE id = $1', [body.session_state])).rows[0];
      assert.ok(stored.last_refresh > aged.last_refresh, 'the touches were written');
    } finally {
      await bus.close();
      await database.close();
      await admin.end();
    }
  });
});
