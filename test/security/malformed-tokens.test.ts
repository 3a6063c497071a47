/**
 * Tokens that are not tokens — a JOSE header or claims set that is JSON but no object (`null`,
 * `1`, `[]`, `"x"`, `true`), bad base64, the wrong number of segments, megabyte-sized strings —
 * get each endpoint's normal Keycloak answer for an invalid token, never a 500, and change
 * nothing in the store. Non-object claims are also tried with a valid signature (the realm's own
 * keys), so the claims check itself is exercised and not only the signature check.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, form, testApp, type TestApp } from '../support/app.ts';
import { DEMO_SERVICE, browserLogin, serverErrors, storeWrites, type BrowserLogin } from '../support/inject-browser.ts';
import { signAsymmetric, signHmac, type JwtClaims } from '../../src/crypto/index.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const NOT_OBJECTS = ['null', '1', '[]', '"x"', 'true'];
const ISSUER = 'http://localhost:80/realms/demo';
const CLAIMS = JSON.stringify({ iss: ISSUER, typ: 'Bearer', azp: 'demo-service', sub: 'x', jti: 'x', iat: 1, exp: 4_000_000_000 });

/** Unsigned shapes: every one fails before any key is tried, or at the signature. */
function unsignedTokens(): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const json of NOT_OBJECTS) tokens[`header ${json}`] = `${b64(json)}.${b64(CLAIMS)}.${b64('sig')}`;
  for (const json of NOT_OBJECTS) tokens[`unsigned claims ${json}`] = `${b64('{"alg":"RS256","typ":"JWT"}')}.${b64(json)}.${b64('sig')}`;
  Object.assign(tokens, {
    garbage: 'garbage',
    'two segments': `${b64('{"alg":"HS512"}')}.${b64(CLAIMS)}`,
    'five segments (JWE shape)': 'a.b.c.d.e',
    'not base64url': '!!!.@@@.###',
    'base64 padding': `${b64('{"alg":"HS512"}')}=.${b64(CLAIMS)}.sig`,
    'one-character segments': 'a.b.c',
    'truncated header JSON': `${b64('{"alg":"RS256"')}.${b64(CLAIMS)}.${b64('sig')}`,
    'empty segments': '..',
    'alg none': `${b64('{"alg":"none"}')}.${b64(CLAIMS)}.`,
    'kid is an object': `${b64('{"alg":"RS256","kid":{"length":1}}')}.${b64(CLAIMS)}.${b64('sig')}`,
    'kid __proto__': `${b64('{"alg":"HS512","kid":"__proto__"}')}.${b64(CLAIMS)}.${b64('sig')}`,
    'kid constructor': `${b64('{"alg":"RS256","kid":"constructor"}')}.${b64(CLAIMS)}.${b64('sig')}`,
    'huge token': `${b64('{"alg":"RS256"}')}.${'A'.repeat(40_000)}.${'B'.repeat(10_000)}`,
  });
  return tokens;
}

describe('malformed tokens', () => {
  let t: TestApp;
  let browser: BrowserLogin;
  let tokens: Record<string, string>;
  let writesBefore: number;
  let sessionsBefore: number;

  before(async () => {
    t = await testApp();
    browser = await browserLogin(t);
    const realm = (await t.ctx.realms.getRealm('demo'))!;
    tokens = unsignedTokens();
    // Genuinely signed by the realm, so only the claims check stands between them and a 500.
    for (const json of NOT_OBJECTS) {
      const claims = JSON.parse(json) as JwtClaims;
      tokens[`HS512-signed claims ${json}`] = await signHmac(claims, realm.keys);
      tokens[`RS256-signed claims ${json}`] = await signAsymmetric(claims, realm.keys);
    }
    writesBefore = await storeWrites(t);
    sessionsBefore = await t.ctx.store.countUserSessions();
  });
  after(async () => {
    assert.equal(await storeWrites(t), writesBefore, 'no malformed token wrote to the store');
    assert.equal(await t.ctx.store.countUserSessions(), sessionsBefore);
    assert.equal(await serverErrors(t), 0);
    await t.close();
  });

  const json = (response: LightMyRequestResponse) => ({ status: response.statusCode, ...(response.json() as object) });

  it('userinfo: 401 invalid_token "Token verification failed", by header and by form', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const byHeader = await t.app.inject({ method: 'GET', url: `${DEMO}/userinfo`, headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(json(byHeader), { status: 401, error: 'invalid_token', error_description: 'Token verification failed' }, label);
      assert.equal(byHeader.headers['www-authenticate'], 'Bearer realm="demo", error="invalid_token", error_description="Token verification failed"', label);
      const byForm = await t.app.inject({ method: 'POST', url: `${DEMO}/userinfo`, ...form({ access_token: token }) });
      assert.deepEqual(json(byForm), { status: 401, error: 'invalid_token', error_description: 'Token verification failed' }, label);
    }
  });

  it('introspection: {"active": false} with either hint', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      for (const hint of ['access_token', 'refresh_token']) {
        const response = await t.app.inject({ method: 'POST', url: `${DEMO}/token/introspect`, ...form({ token, token_type_hint: hint, ...DEMO_SERVICE }) });
        assert.deepEqual(json(response), { status: 200, active: false }, `${label} (${hint})`);
      }
    }
  });

  it('refresh grant: 400 invalid_grant "Invalid refresh token"', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const response = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: token, ...DEMO_SERVICE }) });
      assert.deepEqual(json(response), { status: 400, error: 'invalid_grant', error_description: 'Invalid refresh token' }, label);
    }
  });

  it('revocation: 200 invalid_token "Invalid token" (RFC 7009: no error status)', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const response = await t.app.inject({ method: 'POST', url: `${DEMO}/revoke`, ...form({ token, ...DEMO_SERVICE }) });
      assert.deepEqual(json(response), { status: 200, error: 'invalid_token', error_description: 'Invalid token' }, label);
    }
  });

  it('refresh-token logout: 400 invalid_grant "Invalid refresh token"', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const response = await t.app.inject({ method: 'POST', url: `${DEMO}/logout`, ...form({ refresh_token: token, ...DEMO_SERVICE }) });
      assert.deepEqual(json(response), { status: 400, error: 'invalid_grant', error_description: 'Invalid refresh token' }, label);
    }
  });

  it('RP-initiated logout: the "Invalid parameter: id_token_hint" page, and the browser stays logged in', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const query = new URLSearchParams({ id_token_hint: token, post_logout_redirect_uri: 'http://localhost:3000/bye' });
      const response = await t.app.inject({ method: 'GET', url: `${DEMO}/logout?${query}`, headers: { cookie: browser.cookie } });
      assert.equal(response.statusCode, 400, label);
      // A token over the length bound for token parameters is refused before it is parsed.
      const message = token.length > 20_000 ? "The size of OIDC parameter 'id_token_hint' is longer than allowed." : 'Invalid parameter: id_token_hint';
      assert.ok(response.body.includes(`<p id="kc-error-message" class="instruction">${message.replaceAll("'", '&#39;')}</p>`), label);
      assert.equal(response.headers.location, undefined, label);
    }
  });

  it('logout confirmation: the "Logout failed" page for a malformed session_code', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const response = await t.app.inject({ method: 'POST', url: '/realms/demo/login-actions/logout-confirm', ...form({ session_code: token }) });
      assert.equal(response.statusCode, 400, label);
      assert.ok(response.body.includes('<p id="kc-error-message" class="instruction">Logout failed</p>'), label);
    }
  });

  it('SSO cookie: a malformed KEYCLOAK_IDENTITY is no session (prompt=none answers login_required)', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid', prompt: 'none' });
      const response = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}`, headers: { cookie: `KEYCLOAK_IDENTITY=${token}` } });
      assert.equal(response.statusCode, 302, label);
      assert.equal(new URL(response.headers.location as string).searchParams.get('error'), 'login_required', label);
    }
  });

  it('admin API: 401 {"error":"HTTP 401 Unauthorized"} with a Bearer challenge', async () => {
    for (const [label, token] of Object.entries(tokens)) {
      for (const url of ['/admin/realms', '/admin/realms/demo/users']) {
        const response = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
        assert.deepEqual(json(response), { status: 401, error: 'HTTP 401 Unauthorized' }, `${label} ${url}`);
        assert.equal(response.headers['www-authenticate'], 'Bearer', label);
      }
    }
  });

  it('leaves the real session working', async () => {
    const refreshed = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: browser.tokens.refresh_token, ...DEMO_SERVICE }) });
    assert.equal(refreshed.statusCode, 200);
    // The refresh itself writes (rotation state, touch): counted from here on, not against the malformed requests.
    writesBefore = await storeWrites(t);
  });
});
