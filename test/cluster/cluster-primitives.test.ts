/**
 * The pieces a cluster is made of, in one process against a fresh PostgreSQL database: nodes
 * migrating and seeding at once, the LISTEN/NOTIFY bus (exactly-once delivery, loss of the
 * listener), membership with heartbeats, singleton jobs taken over when their holder goes,
 * rendezvous routes, and the route suffix of AUTH_SESSION_ID with its flags.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { NodeMembership, PgInvalidationBus, PgSingletonJobs, rendezvousRoute, type ClusterLog } from '../../src/cluster/index.ts';
import type { Invalidation } from '../../src/store/cache/index.ts';
import { openSqlDatabase, type SqlDatabase } from '../../src/store/sql/index.ts';
import { SqlRealmRepository } from '../../src/store/sql/index.ts';
import { seedDemo } from '../../src/realm/index.ts';
import { KeyEncryptionKey, KeyRing } from '../../src/crypto/index.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { DEMO, DEMO_APP_AUTH_QUERY as AUTH_QUERY, testApp } from '../support/app.ts';

const quiet: ClusterLog = { info() {}, warn() {}, error() {} };

async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('cluster flags and routes', () => {
  it('parses --db-pool-size, --node-route and --route-cookie', () => {
    const defaults = parseConfig(['--http-port', '8081']);
    assert.equal(defaults.dbPoolSize, 10);
    assert.equal(defaults.routeCookie, true);
    assert.match(defaults.nodeRoute, /^[A-Za-z0-9_-]+-8081$/);
    const set = parseConfig(['--db-pool-size', '25', '--node-route', 'node1', '--route-cookie=false']);
    assert.deepEqual([set.dbPoolSize, set.nodeRoute, set.routeCookie], [25, 'node1', false]);
    assert.equal(parseConfig(['--route-cookie']).routeCookie, true);
    assert.equal(parseConfig([], { HOLDFAST_ROUTE_COOKIE: 'false' }).routeCookie, false);
    assert.throws(() => parseConfig(['--node-route', 'a.b']), ConfigError);
    assert.throws(() => parseConfig(['--route-cookie=maybe']), ConfigError);
    assert.throws(() => parseConfig(['--db-pool-size', '0']), ConfigError);
  });

  it('pins a key to the same live route on every node, and moves only the keys of a node that leaves', () => {
    const routes = ['node1', 'node2', 'node3'];
    const keys = Array.from({ length: 3000 }, (_, i) => `auth-session-${i}`);
    const before = keys.map((key) => rendezvousRoute(key, routes));
    assert.deepEqual(before, keys.map((key) => rendezvousRoute(key, [...routes].reverse())));
    for (const route of routes) {
      const share = before.filter((r) => r === route).length / keys.length;
      assert.ok(share > 0.28 && share < 0.39, `${route} gets ${share}`);
    }
    const after = keys.map((key) => rendezvousRoute(key, ['node1', 'node3']));
    keys.forEach((_, i) => {
      if (before[i] !== 'node2') assert.equal(after[i], before[i]);
    });
    assert.equal(rendezvousRoute('x', []), undefined);
  });

  it('appends the route to AUTH_SESSION_ID, and not with --route-cookie=false', async () => {
    for (const routeCookie of [true, false]) {
      const holdfast = await testApp({ nodeRoute: 'node7', routeCookie });
      try {
        const response = await holdfast.app.inject({ method: 'GET', url: `${DEMO}/auth?${AUTH_QUERY}` });
        assert.equal(response.statusCode, 200);
        const cookie = response.cookies.find((c) => c.name === 'AUTH_SESSION_ID')!;
        if (routeCookie) assert.match(cookie.value, /^[A-Za-z0-9_-]{20,64}\.node7$/);
        else assert.match(cookie.value, /^[A-Za-z0-9_-]{20,64}$/);
        // The suffix is a hint only: whatever route the browser sends, its login continues.
        const id = cookie.value.split('.')[0];
        const again = await holdfast.app.inject({ method: 'GET', url: `${DEMO}/auth?${AUTH_QUERY}`, cookies: { AUTH_SESSION_ID: `${id}.elsewhere` } });
        assert.equal(again.statusCode, 200);
        assert.equal(again.cookies.find((c) => c.name === 'AUTH_SESSION_ID')!.value.split('.')[0], id);
      } finally {
        await holdfast.close();
      }
    }
  });
});

describe('cluster primitives on PostgreSQL', () => {
  let database: FreshDatabase;
  const opened: SqlDatabase[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    database = await freshDatabase();
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const db of opened) await db.close().catch(() => undefined);
    await database?.drop();
  });

  const open = async () => {
    const db = await openSqlDatabase({ dialect: 'postgres', url: database.url, poolSize: 4 });
    opened.push(db);
    return db;
  };

  it('migrates and seeds once when three nodes start together on an empty database', async () => {
    const nodes = await Promise.all([open(), open(), open()]);
    const keyRing = new KeyRing(new KeyEncryptionKey(crypto.randomBytes(32)));
    const seeds = await Promise.all(nodes.map((node) => node.exclusive(() => seedDemo(new SqlRealmRepository(node.db, keyRing), undefined, Date.now()))));
    assert.deepEqual(seeds.map((s) => s.seeded).sort(), [false, false, true]);
    const realms = await nodes[0].db.selectFrom('realm').select('name').orderBy('name').execute();
    assert.deepEqual(realms.map((r) => r.name), ['demo', 'master']);
  });

  it('delivers every event once on every node, its publisher included', async () => {
    const { db } = opened[0];
    const buses = ['a', 'b', 'c'].map((origin) => new PgInvalidationBus({ url: database.url, db, origin, log: quiet }));
    const received = buses.map(() => [] as Invalidation[]);
    buses.forEach((bus, i) => bus.subscribe((event) => received[i].push(event)));
    for (const bus of buses) {
      await bus.start();
      closers.push(() => bus.close());
    }
    const events: Invalidation[] = [
      { kind: 'userSession', id: 's1', offline: false },
      { kind: 'user', id: 'u1' },
      { kind: 'realm', id: 'r1' },
      { kind: 'tokenRevoked', jti: 'j1', expiresAt: 123 },
    ];
    for (const [i, event] of events.entries()) await buses[i % 3].publish(event);
    // Too big for NOTIFY: the other nodes drop everything instead.
    const huge: Invalidation = { kind: 'user', id: 'x'.repeat(9000) };
    await buses[0].publish(huge);
    await until('every event on every node', 2000, () => received.every((r) => r.length === 5));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Exactly once each; the order of events from different nodes is not defined.
    const sorted = (list: Invalidation[]) => list.map((e) => JSON.stringify(e)).sort();
    assert.deepEqual(sorted(received[0]), sorted([...events, huge]));
    assert.deepEqual(sorted(received[1]), sorted([...events, { kind: 'all' }]));
    assert.deepEqual(sorted(received[2]), sorted([...events, { kind: 'all' }]));

    // Malformed notifications from elsewhere are ignored.
    await sql`SELECT pg_notify('holdfast_invalidation', 'not json'), pg_notify('holdfast_invalidation', '{"o":"z","e":{"kind":"user"}}')`.execute(db);
    await buses[0].publish({ kind: 'user', id: 'after' });
    await until('the next event', 2000, () => received[1].length === 6);
    assert.deepEqual(received[1][5], { kind: 'user', id: 'after' });
  });

  it('drops caches when the listener connection is lost and listens again', async () => {
    const { db } = opened[0];
    const bus = new PgInvalidationBus({ url: database.url, db, origin: 'lossy', log: quiet, checkMs: 200, backoff: { minMs: 50, maxMs: 400 } });
    const publisher = new PgInvalidationBus({ url: database.url, db, origin: 'other', log: quiet });
    const received: Invalidation[] = [];
    bus.subscribe((event) => received.push(event));
    await bus.start();
    await publisher.start();
    closers.push(() => bus.close(), () => publisher.close());

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    closers.push(() => admin.end());
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'holdfast-listener'`,
    );
    assert.ok(rows.length >= 1);
    await until('caches dropped', 2000, () => received.some((e) => e.kind === 'all'));
    await until('listening again', 5000, () => bus.listening);
    await publisher.publish({ kind: 'user', id: 'after-reconnect' });
    await until('an event after reconnecting', 2000, () => received.some((e) => e.kind === 'user' && e.id === 'after-reconnect'));
    // Dropped when the loss was noticed and again once listening resumed.
    assert.ok(received.filter((e) => e.kind === 'all').length >= 2);
  });

  it('registers nodes with heartbeats and forgets a node that leaves or stops beating', async () => {
    const { db } = opened[1];
    const make = (nodeId: string, route: string, heartbeatMs = 100) =>
      new NodeMembership({ db, nodeId, route, address: `127.0.0.1:${route}`, log: quiet, heartbeatMs, liveMs: 600 });
    const one = make('n-1', 'r1');
    const two = make('n-2', 'r2');
    // Joins, then never beats again in this test: a node killed without notice.
    const three = make('n-3', 'r3', 3_600_000);
    await one.join();
    await two.join();
    await three.join();
    closers.push(() => one.leave(), () => two.leave(), () => three.leave());
    await until('all three live everywhere', 2000, () => one.liveRoutes().length === 3);
    assert.deepEqual(one.liveRoutes(), ['r1', 'r2', 'r3']);

    await two.leave();
    await until('a node that left is gone', 2000, () => one.liveRoutes().join() === 'r1,r3');
    // A node that stops beating without leaving drops out when its heartbeat ages.
    await until('a silent node is gone', 3000, () => one.liveRoutes().join() === 'r1');
  });

  it('runs a singleton job on one node at a time and hands it over when the holder goes', async () => {
    const runs: string[] = [];
    const first = new PgSingletonJobs(database.url, quiet);
    const second = new PgSingletonJobs(database.url, quiet);
    closers.push(() => first.close(), () => second.close());

    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    const running = first.runSingleton('job', async () => {
      runs.push('first');
      await holding;
    });
    await until('the first run', 2000, () => runs.length === 1);
    assert.equal(await second.runSingleton('job', async () => void runs.push('second')), false);
    release();
    assert.equal(await running, true);
    assert.equal(await second.runSingleton('job', async () => void runs.push('second')), true);

    // A periodic job stays with the node that took it until that node goes away.
    const ticks = { first: 0, second: 0 };
    first.every('sweeper', 50, async () => void ticks.first++);
    await until('the first node runs the sweeper', 2000, () => ticks.first >= 2);
    second.every('sweeper', 50, async () => void ticks.second++);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(ticks.second, 0);
    await first.close();
    await until('the second node takes over', 2000, () => ticks.second >= 2);
  });
});
