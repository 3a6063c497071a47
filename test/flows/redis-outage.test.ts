/**
 * External sessions on Redis, seen from HTTP: while Redis is down, endpoints that need sessions
 * answer 503 quickly and readiness is false; when it is back, the same holdfast instance serves
 * again, and sessions acknowledged before the outage are still there (AOF, fsync always).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, form, testApp, type TestApp } from '../support/app.ts';
import { ThrowawayRedis } from '../support/redis-server.ts';
import { freePort, tempDir } from '../support/process.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };

describe('sessions on Redis through an outage', () => {
  let redis: ThrowawayRedis;
  let t: TestApp;

  before(async () => {
    redis = new ThrowawayRedis(await freePort(), tempDir('holdfast-redis-'));
    await redis.start();
    t = await testApp({ sessions: 'redis', sessionsUrl: `redis://127.0.0.1:${redis.port}`, sessionsKeyPrefix: 'outage-test:' });
  });
  after(async () => {
    await t.close();
    await redis.dispose();
  });

  const password = () => t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', username: 'alice', password: 'alice', ...SERVICE }) });
  const refresh = (token: string) => t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: token, ...SERVICE }) });

  it('answers 503 within 2 s while Redis is down and recovers without a restart', async () => {
    const issued = await password();
    assert.equal(issued.statusCode, 200);
    const refreshToken = issued.json().refresh_token;

    await redis.stop('SIGKILL');
    const started = Date.now();
    const [down, ready] = await Promise.all([refresh(refreshToken), t.management.inject({ method: 'GET', url: '/health/ready' })]);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(down.statusCode, 503, down.body);
    assert.equal(down.json().error, 'temporarily_unavailable');
    assert.equal(ready.statusCode, 503);
    assert.equal((await password()).statusCode, 503);

    await redis.start();
    const deadline = Date.now() + 10_000;
    let back = await refresh(refreshToken);
    while (back.statusCode === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      back = await refresh(refreshToken);
    }
    assert.equal(back.statusCode, 200, back.body);
    assert.equal((await t.management.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200);
  });
});
