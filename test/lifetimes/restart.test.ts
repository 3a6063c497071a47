/**
 * Acceptance: a real holdfast process killed with SIGKILL mid-lifetime and started again on the
 * same SQLite file. Idle and max expiry still hold, to within the documented throttle bound
 * (README "Session lifetimes"): a refresh durable before the crash keeps its session alive
 * afterwards, a session never refreshed dies at its idle deadline, a refresh made within the
 * last touch-flush interval before the crash is the only thing lost, and the max lifespan ends
 * the session whatever the restarts. Brute-force counters survive the restart too.
 *
 * Real time, with short timeouts (idle 9 s, max 16 s): the timeline waits for whole seconds. The
 * server runs from the bundle, so the restart fits the timeline even on a loaded machine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config/index.ts';
import { decodeJwt } from '../support/app.ts';
import { buildBundle, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { DEMO_SERVICE, passwordGrant, refresh } from '../support/oidc-requests.ts';
import { addUser, configureClient, configureRealm, type TokenAnswer } from './helpers.ts';

const IDLE = 9;
const MAX = 16;
/** Touch writes are flushed every second (config.touchFlushMs); the bound itself is 0 for a 9 s idle. */
const FLUSH_SECONDS = 1;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Sleeps until the wall clock is at least 100 ms into second `second` (bounded: at most 30 s). */
async function until(second: number): Promise<void> {
  const wait = second * 1000 + 100 - Date.now();
  assert.ok(wait < 30_000, `timeline overran: waiting ${wait} ms`);
  if (wait > 0) await sleep(wait);
}

async function logout(baseUrl: string, refreshToken: string): Promise<TokenAnswer> {
  const response = await fetch(`${baseUrl}/realms/demo/protocol/openid-connect/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ refresh_token: refreshToken, ...DEMO_SERVICE }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function assertRefused(answer: TokenAnswer, description: string, context: string): void {
  assert.deepEqual([answer.status, answer.body?.error, answer.body?.error_description], [400, 'invalid_grant', description], context);
}

describe('kill -9 restart mid-lifetime', () => {
  const dataDir = tempDir();
  let server: RunningHoldfast;
  let bundle: string | undefined;

  before(async () => {
    // The realm settings go in through the repository before the process starts.
    const setup = await buildApp({ config: testConfig({ dataDir, demo: true }) });
    try {
      await configureRealm(setup, {
        ssoSessionIdleTimeout: IDLE,
        ssoSessionMaxLifespan: MAX,
        bruteForceProtected: true,
        failureFactor: 3,
        waitIncrementSeconds: 600,
        quickLoginCheckMilliSeconds: 1,
      });
      // A long client idle: refresh tokens outlive the SSO session, so it is the server's own
      // session state (after the restart) that refuses them, not their `exp`.
      await configureClient(setup, 'demo-service', { 'client.session.idle.timeout': '600' });
      await addUser(setup, 'bob', 'bob-password');
    } finally {
      await setup.close();
    }
    bundle = await buildBundle();
    server = await startHoldfast({ dataDir, bundle });
  });
  after(() => server.stop('SIGTERM'));

  it('keeps idle and max expiry, and brute-force counters, across the restart', async () => {
    await until(nowSeconds() + 1);
    const [a, b, c] = [await passwordGrant(server.url), await passwordGrant(server.url), await passwordGrant(server.url)];
    for (const login of [a, b, c]) assert.equal(login.status, 200, JSON.stringify(login.body));
    const started = Math.max(...[a, b, c].map((login) => decodeJwt(login.body.refresh_token).iat as number));
    const s0 = Math.min(...[a, b, c].map((login) => decodeJwt(login.body.refresh_token).iat as number));
    for (const attempt of [1, 2]) assert.equal((await passwordGrant(server.url, 'bob', 'wrong')).status, 401, `bob failure ${attempt}`);

    // A refreshes, and that touch is flushed; C refreshes just before the kill, too late to be flushed.
    await until(s0 + 5);
    const aRefreshed = await refresh(server.url, a.body.refresh_token);
    assert.equal(aRefreshed.status, 200);
    const aLastRefresh = decodeJwt(aRefreshed.body.refresh_token).iat as number;
    await sleep((FLUSH_SECONDS + 0.3) * 1000);
    const cRefreshed = await refresh(server.url, c.body.refresh_token);
    assert.equal(cRefreshed.status, 200);
    assert.equal(await server.stop('SIGKILL'), null);
    server = await startHoldfast({ dataDir, port: server.port, bundle });

    // Brute force: the two failures before the kill count; the third locks bob out.
    assert.equal((await passwordGrant(server.url, 'bob', 'wrong')).status, 401);
    const locked = await passwordGrant(server.url, 'bob', 'bob-password');
    assert.deepEqual([locked.status, locked.body.error, locked.body.error_description], [401, 'invalid_grant', 'Invalid user credentials']);

    // Idle: B (never refreshed) and C (its refresh lost in the crash) end at their creation's
    // idle deadline; A's refresh before the crash holds.
    await until(started + IDLE + 1);
    assert.ok(nowSeconds() < aLastRefresh - 1 + IDLE, `restart too slow for the timeline: at ${nowSeconds() - s0} s`);
    assertRefused(await refresh(server.url, b.body.refresh_token), 'Session not active', 'B, never refreshed, after its idle deadline');
    assertRefused(await refresh(server.url, cRefreshed.body.refresh_token), 'Session not active', 'C, refresh lost within the flush interval');
    let aToken = aRefreshed.body.refresh_token as string;
    for (const second of [started + IDLE + 1, s0 + MAX - 2]) {
      await until(second);
      const answer = await refresh(server.url, aToken);
      assert.equal(answer.status, 200, `A at +${second - s0} s: ${JSON.stringify(answer.body)}`);
      aToken = answer.body.refresh_token;
    }

    // Max: refreshed two seconds ago, A still ends at its max lifespan.
    await until(started + MAX + 1);
    assertRefused(await logout(server.url, aToken), 'Session not active', 'A after its max lifespan');
  });
});
