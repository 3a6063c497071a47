/**
 * Tokens older Keycloak releases wrote that can still come back after a migration from Keycloak
 * (keycloak-migration-facts.md §5.8): offline tokens and identity cookies that name their session
 * in `session_state` instead of `sid`, and whose header has no `kid` (the realm's active HMAC key
 * verifies them then, as in Keycloak). Both are honoured; without either claim they are refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DEMO, DEMO_APP_AUTH_QUERY, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';
import { DEMO_SERVICE, browserLogin } from '../support/inject-browser.ts';

/** Claims signed with the realm's active HMAC key, the header without a kid. */
function signWithoutKid(claims: Record<string, unknown>, key: Parameters<typeof createHmac>[1]): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha512', key).update(input).digest('base64url')}`;
}

function legacy(claims: Record<string, any>): Record<string, any> {
  const { sid, ...rest } = claims;
  return { ...rest, session_state: sid };
}

describe('legacy Keycloak tokens (session_state, no kid)', () => {
  let t: TestApp;
  let key: Parameters<typeof createHmac>[1];
  before(async () => {
    t = await testApp();
    key = (await t.ctx.realms.getRealm('demo'))!.keys.hmac.key;
  });
  after(() => t.close());

  it('refreshes a refresh token that names its session in session_state', async () => {
    const grant = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', ...DEMO_SERVICE, username: 'alice', password: 'alice', scope: 'openid offline_access' }) });
    assert.equal(grant.statusCode, 200, grant.body);
    const claims = decodeJwt(grant.json().refresh_token);
    const old = signWithoutKid(legacy(claims), key);
    const refreshed = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', ...DEMO_SERVICE, refresh_token: old }) });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal(refreshed.json().session_state, claims.sid);
    const { session_state: _ignored, ...nameless } = legacy(claims);
    const refused = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', ...DEMO_SERVICE, refresh_token: signWithoutKid(nameless, key) }) });
    assert.deepEqual({ status: refused.statusCode, ...(refused.json() as object) }, { status: 400, error: 'invalid_grant', error_description: 'Invalid refresh token' });
  });

  it('logs the browser in silently with an identity cookie that names its session in session_state', async () => {
    const login = await browserLogin(t);
    const identity = login.cookie.split('; ').find((c) => c.startsWith('KEYCLOAK_IDENTITY='))!.slice('KEYCLOAK_IDENTITY='.length);
    const old = signWithoutKid(legacy(decodeJwt(identity)), key);
    const silent = new URLSearchParams(DEMO_APP_AUTH_QUERY);
    silent.set('prompt', 'none');
    const answer = await t.app.inject({ url: `${DEMO}/auth?${silent}`, headers: { cookie: `KEYCLOAK_IDENTITY=${old}` } });
    assert.equal(answer.statusCode, 302, answer.body);
    const location = new URL(answer.headers.location as string);
    assert.ok(location.searchParams.get('code'), location.href);
  });
});
