/**
 * Acceptance: 100,000 expired sessions (each with a client session) written straight into the
 * SQLite file; one sweeper run removes them in bounded batches while refreshes of live sessions
 * run alongside and all succeed. Also: the sweeper leaves alone a session whose stored deadline
 * lags one slid in memory (the touch-bound margin), its work shows in metrics, and the schedule
 * runs it by itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { ConfigError, parseConfig, type Config } from '../../src/config/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { tempDir } from '../support/process.ts';
import { configureRealm, passwordGrant, refresh } from './helpers.ts';

const EXPIRED = 100_000;
const LIVE = 20;

const pick = (config: Config) => [config.expiryIntervalSeconds, config.expiryBatchSize];

async function removedMetric(t: TestApp): Promise<number> {
  return (await t.ctx.metrics.expiredRemoved.get()).values[0]?.value ?? 0;
}

/**
 * Writes `count` expired online sessions with one client session each, in one transaction, and
 * raises the kept counts by as much, as holdfast's own writes do (the sweeper lowers them).
 */
function insertExpired(dataDir: string, realmId: string, count: number, expiresAt: number): void {
  const db = new SQLite(path.join(dataDir, 'holdfast.db'));
  try {
    db.pragma('busy_timeout = 5000');
    const userSession = db.prepare(
      'INSERT INTO user_session (id, offline, realm_id, user_id, started, last_refresh, remember_me, ip_address, auth_time, expires_at) VALUES (?, 0, ?, ?, ?, ?, 0, ?, ?, ?)',
    );
    const clientSession = db.prepare(
      'INSERT INTO client_session (user_session_id, offline, client_uuid, realm_id, started, timestamp, scope, redirect_uri, refresh_jti, refresh_uses) VALUES (?, 0, ?, ?, ?, ?, ?, NULL, NULL, 0)',
    );
    const started = expiresAt - 1800;
    db.transaction(() => {
      for (let i = 0; i < count; i += 1) {
        const id = `expired-${i.toString(36).padStart(6, '0')}`;
        userSession.run(id, realmId, `user-${i % 1000}`, started, started, '192.0.2.1', started, expiresAt);
        clientSession.run(id, 'client-expired', realmId, started, started, 'openid');
      }
      db.prepare('INSERT INTO session_count (realm_id, offline, slot, count) VALUES (?, 0, 0, ?) ON CONFLICT (realm_id, offline, slot) DO UPDATE SET count = count + excluded.count').run(realmId, count);
      db.prepare(
        'INSERT INTO client_session_count (realm_id, client_uuid, offline, slot, count) VALUES (?, ?, 0, 0, ?) ON CONFLICT (realm_id, client_uuid, offline, slot) DO UPDATE SET count = count + excluded.count',
      ).run(realmId, 'client-expired', count);
    })();
  } finally {
    db.close();
  }
}

describe('expiry sweeper', () => {
  let t: TestApp;
  let dataDir: string;
  before(async () => {
    dataDir = tempDir();
    t = await testApp({ dataDir });
  });
  after(() => t.close());

  it(`removes ${EXPIRED.toLocaleString('en')} expired sessions in batches while live sessions keep refreshing`, async () => {
    await configureRealm(t, {});
    const live = await Promise.all(Array.from({ length: LIVE }, () => passwordGrant(t)));
    for (const session of live) assert.equal(session.status, 200);
    const realmId = (await t.ctx.realms.repository.findRealmByName('demo'))!.id;
    insertExpired(dataDir, realmId, EXPIRED, t.ctx.sessions.now() - 3600);
    assert.equal(await t.ctx.store.countUserSessions(), EXPIRED + LIVE);
    const metricBefore = await removedMetric(t);

    let sweeping = true;
    const sweep = t.expirySweeper.runOnce().finally(() => {
      sweeping = false;
    });
    // Every live session refreshes over and over for as long as the sweep runs (bounded).
    const refreshes = await Promise.all(
      live.map(async (session) => {
        let token = session.body.refresh_token as string;
        const statuses: number[] = [];
        for (let round = 0; round < 500 && (sweeping || round === 0); round += 1) {
          const answer = await refresh(t, token);
          statuses.push(answer.status);
          if (answer.status === 200) token = answer.body.refresh_token;
        }
        return statuses;
      }),
    );
    const result = await sweep;

    assert.equal(result.complete, true);
    assert.ok(result.removed >= EXPIRED, `removed ${result.removed}`);
    assert.ok(result.batches >= EXPIRED / t.ctx.config.expiryBatchSize, `only ${result.batches} batches`);
    const all = refreshes.flat();
    assert.deepEqual(
      all.filter((status) => status !== 200),
      [],
    );
    assert.ok(all.length > LIVE, `refreshes ran alongside the sweep: ${all.length}`);
    assert.equal(await t.ctx.store.countUserSessions(), LIVE);
    assert.equal((await removedMetric(t)) - metricBefore, result.removed);
    const again = await t.expirySweeper.runOnce();
    assert.deepEqual([again.removed, again.batches, again.complete], [0, 1, true]);
  });

  it('keeps a session whose stored deadline lags the one slid in memory, within the touch bound', async () => {
    await configureRealm(t, { ssoSessionIdleTimeout: 600 });
    const before = await t.ctx.store.countUserSessions();
    const login = await passwordGrant(t);
    assert.equal(login.status, 200);
    // Slid in memory at +30 s; the store still says +600 (the touch bound is 60 s).
    t.clock.advanceSeconds(30);
    const slid = await refresh(t, login.body.refresh_token);
    assert.equal(slid.status, 200);
    // Past the stored deadline, before the real one (+630).
    t.clock.advanceSeconds(595);
    await t.expirySweeper.runOnce();
    assert.equal(await t.ctx.store.countUserSessions(), before + 1);
    assert.equal((await refresh(t, slid.body.refresh_token)).status, 200);
    // Once truly expired (and past the margin), it goes.
    t.clock.advanceSeconds(700);
    await t.ctx.sessions.writer.flush();
    await t.expirySweeper.runOnce();
    assert.equal(await t.ctx.store.countUserSessions(), before);
  });

  it('takes its interval and batch size from flags or HOLDFAST_ variables', () => {
    assert.deepEqual(pick(parseConfig([], {})), [900, 1000]);
    assert.deepEqual(pick(parseConfig(['--expiry-interval', '60', '--expiry-batch-size', '250'], {})), [60, 250]);
    assert.deepEqual(pick(parseConfig(['--expiry-interval', '0'], { HOLDFAST_EXPIRY_BATCH_SIZE: '5000' })), [0, 5000]);
    assert.throws(() => parseConfig(['--expiry-batch-size', '0'], {}), ConfigError);
    assert.throws(() => parseConfig([], { HOLDFAST_EXPIRY_INTERVAL: 'soon' }), ConfigError);
  });

  it('runs on its own schedule, and stops with the app', async () => {
    const scheduled = await testApp({ expiryIntervalSeconds: 1 });
    try {
      await passwordGrant(scheduled);
      scheduled.clock.advanceSeconds(3 * 36000);
      const deadline = Date.now() + 5000;
      while ((await removedMetric(scheduled)) === 0 && Date.now() < deadline) await sleep(100);
      assert.ok((await removedMetric(scheduled)) >= 1);
      assert.equal(await scheduled.ctx.store.countUserSessions(), 0);
    } finally {
      await scheduled.close();
    }
  });
});
