/**
 * Acceptance: every session lifetime setting at its boundary, one second before and one second
 * after, on the manual clock. Each case logs in, refreshes at the listed moments (seconds after
 * the login) and asserts exactly what Keycloak answers: status, `error`, `error_description`, and
 * on success the `exp` arithmetic (`refresh_expires_in`, `expires_in`) of keycloak-compat.md §8.4.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RealmSettings } from '../../src/realm/index.ts';
import { decodeJwt, testApp, type TestApp } from '../support/app.ts';
import { assertOAuthError, browserLogin, configureClient, configureRealm, passwordGrant, refresh, type TokenAnswer } from './helpers.ts';

type Outcome = { ok: true; check?: (body: any) => void } | { status: number; error: string; description: string };

interface Step {
  /** Seconds after the login. */
  at: number;
  /** Which refresh token to present: index in the order they were issued (login = 0); the newest by default. */
  token?: number;
  expect: Outcome;
}

interface Case {
  name: string;
  realm?: Partial<RealmSettings>;
  /** demo-service attributes for this case. */
  client?: Record<string, string>;
  login?: 'password' | 'offline' | 'remember-me';
  /** Checks on the login's own token answer. */
  onLogin?: (body: any) => void;
  steps: Step[];
}

const OK: Outcome = { ok: true };
const notActive: Outcome = { status: 400, error: 'invalid_grant', description: 'Token is not active' };
const sessionNotActive: Outcome = { status: 400, error: 'invalid_grant', description: 'Session not active' };
const offlineNotActive: Outcome = { status: 400, error: 'invalid_grant', description: 'Offline session not active' };
const noClient: Outcome = { status: 400, error: 'invalid_grant', description: "Session doesn't have required client" };
const reuseExceeded: Outcome = { status: 400, error: 'invalid_grant', description: 'Maximum allowed refresh token reuse exceeded' };
const stale: Outcome = { status: 400, error: 'invalid_grant', description: 'Stale token' };

const refreshExpiresIn = (seconds: number): Outcome => ({ ok: true, check: (body) => assert.equal(body.refresh_expires_in, seconds) });

const SSO = { ssoSessionIdleTimeout: 600, ssoSessionMaxLifespan: 1000 };
const OFFLINE = { offlineSessionIdleTimeout: 1000 };
const ATTRIBUTES = [
  'client.session.idle.timeout',
  'client.session.max.lifespan',
  'client.offline.session.idle.timeout',
  'client.offline.session.max.lifespan',
  'access.token.lifespan',
];

const CASES: Case[] = [
  // SSO idle: the refresh token expires with the client session's idle window (= SSO idle here).
  { name: 'SSO idle, 1 s before', realm: SSO, onLogin: (b) => assert.equal(b.refresh_expires_in, 600), steps: [{ at: 599, expect: refreshExpiresIn(401) }] },
  { name: 'SSO idle, 1 s after', realm: SSO, steps: [{ at: 601, expect: notActive }] },
  // The SSO session's own idle ends it even when the client's idle window (and the token) lasts longer.
  { name: 'SSO idle ends a longer client idle, 1 s before', realm: SSO, client: { 'client.session.idle.timeout': '900' }, steps: [{ at: 599, expect: OK }] },
  { name: 'SSO idle ends a longer client idle, 1 s after', realm: SSO, client: { 'client.session.idle.timeout': '900' }, steps: [{ at: 601, expect: sessionNotActive }] },
  // SSO max: refreshing keeps idle away; the max lifespan still ends it, and caps `exp`.
  { name: 'SSO max, 1 s before', realm: SSO, steps: [{ at: 500, expect: refreshExpiresIn(500) }, { at: 999, expect: refreshExpiresIn(1) }] },
  { name: 'SSO max, 1 s after', realm: SSO, steps: [{ at: 500, expect: OK }, { at: 1001, expect: notActive }] },
  // Remember-me: its own pair applies (the longer of each pair).
  {
    name: 'remember-me idle, 1 s before',
    realm: { ...SSO, ssoSessionIdleTimeoutRememberMe: 3600, ssoSessionMaxLifespanRememberMe: 7200 },
    login: 'remember-me',
    onLogin: (b) => assert.equal(b.refresh_expires_in, 3600),
    steps: [{ at: 3599, expect: OK }],
  },
  { name: 'remember-me idle, 1 s after', realm: { ...SSO, ssoSessionIdleTimeoutRememberMe: 3600, ssoSessionMaxLifespanRememberMe: 7200 }, login: 'remember-me', steps: [{ at: 3601, expect: notActive }] },
  {
    name: 'remember-me max, 1 s before',
    realm: { ...SSO, ssoSessionIdleTimeoutRememberMe: 3600, ssoSessionMaxLifespanRememberMe: 5000 },
    login: 'remember-me',
    steps: [{ at: 3000, expect: refreshExpiresIn(2000) }, { at: 4999, expect: refreshExpiresIn(1) }],
  },
  {
    name: 'remember-me max, 1 s after',
    realm: { ...SSO, ssoSessionIdleTimeoutRememberMe: 3600, ssoSessionMaxLifespanRememberMe: 5000 },
    login: 'remember-me',
    steps: [{ at: 3000, expect: OK }, { at: 5001, expect: notActive }],
  },
  { name: 'remember-me shorter than the SSO idle: the longer applies, 1 s before', realm: { ...SSO, ssoSessionIdleTimeoutRememberMe: 300 }, login: 'remember-me', steps: [{ at: 599, expect: OK }] },
  { name: 'remember-me not ticked: the SSO pair, 1 s after', realm: { ...SSO, ssoSessionIdleTimeoutRememberMe: 3600 }, steps: [{ at: 601, expect: notActive }] },
  // Per-client overrides (client attributes) and the realm-wide client session settings.
  {
    name: 'client idle override, 1 s before',
    realm: SSO,
    client: { 'client.session.idle.timeout': '300' },
    onLogin: (b) => assert.equal(b.refresh_expires_in, 300),
    steps: [{ at: 299, expect: refreshExpiresIn(300) }],
  },
  { name: 'client idle override, 1 s after', realm: SSO, client: { 'client.session.idle.timeout': '300' }, steps: [{ at: 301, expect: notActive }] },
  { name: 'realm client idle, 1 s after', realm: { ...SSO, clientSessionIdleTimeout: 300 }, steps: [{ at: 301, expect: notActive }] },
  { name: 'client idle override beats the realm client idle, 1 s before', realm: { ...SSO, clientSessionIdleTimeout: 100 }, client: { 'client.session.idle.timeout': '300' }, steps: [{ at: 299, expect: OK }] },
  {
    name: 'client max override, 1 s before; access token capped by it',
    realm: SSO,
    client: { 'client.session.max.lifespan': '400' },
    steps: [
      { at: 200, expect: { ok: true, check: (b) => assert.deepEqual([b.refresh_expires_in, b.expires_in], [200, 200]) } },
      { at: 399, expect: { ok: true, check: (b) => assert.deepEqual([b.refresh_expires_in, b.expires_in], [1, 1]) } },
    ],
  },
  { name: 'client max override, 1 s after', realm: SSO, client: { 'client.session.max.lifespan': '400' }, steps: [{ at: 200, expect: OK }, { at: 401, expect: notActive }] },
  { name: 'realm client max, 1 s after', realm: { ...SSO, clientSessionMaxLifespan: 400 }, steps: [{ at: 200, expect: OK }, { at: 401, expect: notActive }] },
  {
    name: 'access token lifespan: client override, capped by the client session max',
    realm: { ...SSO, accessTokenLifespan: 60 },
    client: { 'access.token.lifespan': '120', 'client.session.max.lifespan': '400' },
    onLogin: (b) => assert.equal(b.expires_in, 120),
    steps: [{ at: 300, expect: { ok: true, check: (b) => assert.equal(b.expires_in, 100) } }],
  },
  // Offline sessions: their own idle, no `exp` without a max, a max when enabled, client overrides.
  {
    name: 'offline idle, 1 s before',
    realm: OFFLINE,
    login: 'offline',
    onLogin: (b) => {
      assert.equal(b.refresh_expires_in, 0);
      assert.equal(decodeJwt(b.refresh_token).exp, undefined);
      assert.equal(decodeJwt(b.refresh_token).typ, 'Offline');
    },
    steps: [{ at: 999, expect: refreshExpiresIn(0) }],
  },
  { name: 'offline idle, 1 s after', realm: OFFLINE, login: 'offline', steps: [{ at: 1001, expect: offlineNotActive }] },
  { name: 'offline session outlives the SSO settings', realm: { ...OFFLINE, ...SSO }, login: 'offline', steps: [{ at: 900, expect: OK }, { at: 1800, expect: OK }] },
  {
    name: 'offline max, 1 s before',
    realm: { ...OFFLINE, offlineSessionMaxLifespanEnabled: true, offlineSessionMaxLifespan: 1500 },
    login: 'offline',
    onLogin: (b) => assert.equal(b.refresh_expires_in, 1000),
    steps: [{ at: 900, expect: refreshExpiresIn(600) }, { at: 1499, expect: refreshExpiresIn(1) }],
  },
  { name: 'offline max, 1 s after', realm: { ...OFFLINE, offlineSessionMaxLifespanEnabled: true, offlineSessionMaxLifespan: 1500 }, login: 'offline', steps: [{ at: 900, expect: OK }, { at: 1501, expect: notActive }] },
  { name: 'offline max disabled: no max', realm: { ...OFFLINE, offlineSessionMaxLifespan: 1500 }, login: 'offline', steps: [{ at: 900, expect: OK }, { at: 1800, expect: OK }, { at: 2700, expect: OK }] },
  {
    name: 'offline client max override applies with the realm max off, 1 s before',
    realm: OFFLINE,
    client: { 'client.offline.session.max.lifespan': '800' },
    login: 'offline',
    onLogin: (b) => assert.equal(b.refresh_expires_in, 800),
    steps: [{ at: 500, expect: refreshExpiresIn(300) }, { at: 799, expect: OK }],
  },
  { name: 'offline client max override, 1 s after', realm: OFFLINE, client: { 'client.offline.session.max.lifespan': '800' }, login: 'offline', steps: [{ at: 500, expect: OK }, { at: 801, expect: notActive }] },
  { name: 'offline client idle override, 1 s before', realm: OFFLINE, client: { 'client.offline.session.idle.timeout': '500' }, login: 'offline', steps: [{ at: 499, expect: OK }] },
  { name: 'offline client idle override, 1 s after', realm: OFFLINE, client: { 'client.offline.session.idle.timeout': '500' }, login: 'offline', steps: [{ at: 501, expect: noClient }] },
  // Rotation: the first use of each token, plus refreshTokenMaxReuse more; a reuse beyond it, or
  // an older token after a newer one was used, logs the client out of the session.
  {
    name: 'rotation, maxReuse 0: one use',
    realm: { ...SSO, revokeRefreshToken: true, refreshTokenMaxReuse: 0 },
    steps: [{ at: 10, token: 0, expect: OK }, { at: 20, token: 0, expect: reuseExceeded }, { at: 30, expect: noClient }],
  },
  {
    name: 'rotation, maxReuse 2: three uses',
    realm: { ...SSO, revokeRefreshToken: true, refreshTokenMaxReuse: 2 },
    steps: [
      { at: 10, token: 0, expect: OK },
      { at: 20, token: 0, expect: OK },
      { at: 30, token: 0, expect: OK },
      { at: 40, token: 0, expect: reuseExceeded },
      { at: 50, expect: noClient },
    ],
  },
  {
    name: 'rotation, maxReuse 2: a rotated-out token is stale once its successor is used',
    realm: { ...SSO, revokeRefreshToken: true, refreshTokenMaxReuse: 2 },
    steps: [{ at: 10, token: 0, expect: OK }, { at: 20, token: 1, expect: OK }, { at: 30, token: 0, expect: stale }, { at: 40, expect: noClient }],
  },
  {
    name: 'rotation, maxReuse 0: each newer token works once',
    realm: { ...SSO, revokeRefreshToken: true, refreshTokenMaxReuse: 0 },
    steps: [{ at: 10, expect: OK }, { at: 20, expect: OK }, { at: 30, expect: OK }, { at: 40, token: 2, expect: reuseExceeded }],
  },
  { name: 'no rotation: a token can be used again', realm: SSO, steps: [{ at: 10, token: 0, expect: OK }, { at: 20, token: 0, expect: OK }, { at: 30, token: 0, expect: OK }] },
];

describe('session lifetimes at their boundaries', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  async function login(kind: Case['login']): Promise<TokenAnswer> {
    if (kind === 'remember-me') return browserLogin(t, true);
    return passwordGrant(t, 'alice', 'alice', kind === 'offline' ? 'openid offline_access' : 'openid');
  }

  for (const c of CASES) {
    it(c.name, async () => {
      await configureRealm(t, c.realm ?? {});
      await configureClient(t, 'demo-service', Object.fromEntries(ATTRIBUTES.map((name) => [name, c.client?.[name]])));
      const start = t.clock.nowMs();
      const first = await login(c.login);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      c.onLogin?.(first.body);
      const tokens: string[] = [first.body.refresh_token];
      for (const step of c.steps) {
        t.clock.set(start + step.at * 1000);
        const answer = await refresh(t, tokens[step.token ?? tokens.length - 1]);
        const where = `${c.name}, at +${step.at}s`;
        if ('ok' in step.expect) {
          assert.equal(answer.status, 200, `${where}: ${JSON.stringify(answer.body)}`);
          step.expect.check?.(answer.body);
          tokens.push(answer.body.refresh_token);
        } else {
          assertOAuthError(answer, step.expect.status, step.expect.error, step.expect.description, where);
        }
      }
    });
  }

  it('remember-me makes the SSO cookies persistent for the remember-me max lifespan', async () => {
    await configureRealm(t, { ...SSO, ssoSessionMaxLifespanRememberMe: 5000 });
    const remembered = await browserLogin(t, true);
    assert.equal(remembered.cookies.get('KEYCLOAK_IDENTITY')!.maxAge, 5000);
    assert.equal(remembered.cookies.get('KEYCLOAK_SESSION')!.maxAge, 5000);
    await configureRealm(t, SSO);
    assert.equal((await browserLogin(t, true)).cookies.get('KEYCLOAK_IDENTITY')!.maxAge, 1000);
    const forgotten = await browserLogin(t, false);
    assert.equal(forgotten.cookies.get('KEYCLOAK_IDENTITY')!.maxAge, undefined);
    assert.equal(forgotten.cookies.get('KEYCLOAK_SESSION')!.maxAge, undefined);
  });
});
