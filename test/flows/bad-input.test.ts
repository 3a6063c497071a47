/**
 * Bad input of every kind gets the OAuth error Keycloak gives — never a 500, never a stack
 * trace — and leaves the store as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { DEMO, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };

describe('bad input', () => {
  let t: TestApp;
  let refreshToken: string;
  let accessToken: string;
  let sessionsBefore: number;

  const token = async (fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form(fields), headers: { ...form(fields).headers, ...headers } });
    return { status: response.statusCode, body: response.json(), raw: response.body };
  };
  const expectError = async (fields: Record<string, string>, status: number, error: string, description: string, headers?: Record<string, string>) => {
    const result = await token(fields, headers);
    assert.deepEqual({ status: result.status, ...result.body }, { status, error, error_description: description }, JSON.stringify(fields));
    assert.doesNotMatch(result.raw, /at .*\.ts:\d+/);
  };

  before(async () => {
    t = await testApp();
    const issued = await token({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid', ...SERVICE });
    assert.equal(issued.status, 200);
    refreshToken = issued.body.refresh_token;
    accessToken = issued.body.access_token;
    sessionsBefore = await t.ctx.store.countUserSessions();
  });
  after(async () => {
    // Nothing any bad request did created or removed a session.
    assert.equal(await t.ctx.store.countUserSessions(), sessionsBefore);
    await t.close();
  });

  it('rejects malformed token requests with Keycloak errors', async () => {
    await expectError({ ...SERVICE }, 400, 'invalid_request', 'Missing form parameter: grant_type');
    await expectError({ grant_type: 'magic', ...SERVICE }, 400, 'unsupported_grant_type', 'Unsupported grant_type');
    await expectError({ grant_type: 'password' }, 400, 'invalid_client', 'Missing client_id parameter');
    await expectError({ grant_type: 'password', client_id: 'nobody' }, 401, 'invalid_client', 'Invalid client or Invalid client credentials');
    await expectError({ grant_type: 'password', client_id: 'demo-service' }, 401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
    await expectError({ grant_type: 'password', client_id: 'demo-service', client_secret: 'wrong' }, 401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
    await expectError({ grant_type: 'password' }, 401, 'unauthorized_client', 'Invalid client or Invalid client credentials', {
      authorization: 'Basic ' + Buffer.from('demo-service:nope').toString('base64'),
    });
    await expectError({ grant_type: 'password' }, 400, 'invalid_request', 'Invalid Basic authentication header', { authorization: 'Basic !!!' });
    await expectError({ grant_type: 'client_credentials', client_id: 'realm-management' }, 400, 'invalid_client', 'Bearer-only not allowed');
  });

  it('rejects duplicated, oversized and non-form bodies', async () => {
    const duplicated = await t.app.inject({
      method: 'POST',
      url: `${DEMO}/token`,
      payload: 'grant_type=password&grant_type=client_credentials&client_id=demo-service&client_secret=demo-service-secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.deepEqual({ status: duplicated.statusCode, ...(duplicated.json() as object) }, { status: 400, error: 'invalid_request', error_description: 'duplicated parameter' });

    const oversized = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', username: 'x'.repeat(70_000) }) });
    assert.equal(oversized.statusCode, 413);
    assert.equal(oversized.json().error, 'invalid_request');

    const json = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, payload: { grant_type: 'password' } });
    assert.equal(json.statusCode, 415);
    assert.equal(json.json().error, 'invalid_request');

    const text = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, payload: 'grant_type=password', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.statusCode, 415);

    const brokenJson = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, payload: '{"grant_type":', headers: { 'content-type': 'application/json' } });
    assert.equal(brokenJson.statusCode, 400);
    assert.equal(brokenJson.json().error, 'invalid_request');
  });

  it('rejects bad credentials in the password grant', async () => {
    const base = { grant_type: 'password', ...SERVICE };
    await expectError({ ...base, password: 'alice' }, 401, 'invalid_request', 'Missing parameter: username');
    await expectError({ ...base, username: 'alice' }, 401, 'invalid_request', 'Missing parameter: password');
    await expectError({ ...base, username: 'alice', password: 'wrong' }, 401, 'invalid_grant', 'Invalid user credentials');
    await expectError({ ...base, username: 'mallory', password: 'alice' }, 401, 'invalid_grant', 'Invalid user credentials');
    await expectError({ ...base, username: 'alice', password: 'alice', scope: 'openid admin' }, 400, 'invalid_scope', 'Invalid scopes: openid admin');
    await expectError({ grant_type: 'password', client_id: 'demo-app', username: 'alice', password: 'alice' }, 400, 'unauthorized_client', 'Client not allowed for direct access grants');
  });

  it('rejects forged, truncated, foreign and expired refresh tokens', async () => {
    const base = { grant_type: 'refresh_token', ...SERVICE };
    await expectError(base, 400, 'invalid_request', 'No refresh token');
    await expectError({ ...base, refresh_token: 'garbage' }, 400, 'invalid_grant', 'Invalid refresh token');
    await expectError({ ...base, refresh_token: refreshToken.slice(0, -5) }, 400, 'invalid_grant', 'Invalid refresh token');
    await expectError({ ...base, refresh_token: accessToken }, 400, 'invalid_grant', 'Invalid refresh token');
    const [header, , signature] = refreshToken.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...decodeJwt(refreshToken), sub: 'someone-else' })).toString('base64url');
    await expectError({ ...base, refresh_token: `${header}.${tampered}.${signature}` }, 400, 'invalid_grant', 'Invalid refresh token');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(decodeJwt(refreshToken))).toString('base64url')}.`;
    await expectError({ ...base, refresh_token: unsigned }, 400, 'invalid_grant', 'Invalid refresh token');
    const forged = await new SignJWT(decodeJwt(refreshToken)).setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).sign(randomBytes(64));
    await expectError({ ...base, refresh_token: forged }, 400, 'invalid_grant', 'Invalid refresh token');
    await expectError(
      { grant_type: 'refresh_token', client_id: 'demo-app', refresh_token: refreshToken },
      400,
      'invalid_grant',
      "Invalid refresh token. Token client and authorized client don't match",
    );
    t.clock.advanceSeconds(1801);
    await expectError({ ...base, refresh_token: refreshToken }, 400, 'invalid_grant', 'Token is not active');
    t.clock.advanceSeconds(-1801);
  });

  it('rejects bad codes, redirect URIs and PKCE verifiers', async () => {
    const base = { grant_type: 'authorization_code', redirect_uri: 'http://localhost:3000/cb', ...SERVICE };
    await expectError(base, 400, 'invalid_request', 'Missing parameter: code');
    await expectError({ ...base, code: 'not-a-code' }, 400, 'invalid_grant', 'Code not valid');
    await expectError({ ...base, code: 'x'.repeat(600) }, 400, 'invalid_grant', 'Code not valid');
  });

  it('answers bad bearer tokens at userinfo and introspection without leaking', async () => {
    for (const bad of ['garbage', accessToken.slice(0, -3), refreshToken]) {
      const response = await t.app.inject({ method: 'GET', url: `${DEMO}/userinfo`, headers: { authorization: `Bearer ${bad}` } });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error, 'invalid_token');
      assert.match(response.headers['www-authenticate'] as string, /^Bearer realm="demo", error="invalid_token"/);
    }
    for (const bad of ['garbage', accessToken.slice(0, -3), refreshToken.slice(0, -3)]) {
      const introspection = await t.app.inject({ method: 'POST', url: `${DEMO}/token/introspect`, ...form({ token: bad, ...SERVICE }) });
      assert.deepEqual(introspection.json(), { active: false });
    }
    const missing = await t.app.inject({ method: 'GET', url: `${DEMO}/userinfo` });
    assert.equal(missing.statusCode, 401);
    const publicCaller = await t.app.inject({ method: 'POST', url: `${DEMO}/token/introspect`, ...form({ token: accessToken, client_id: 'demo-app' }) });
    assert.equal(publicCaller.statusCode, 403);
    t.clock.advanceSeconds(301);
    const expired = await t.app.inject({ method: 'GET', url: `${DEMO}/userinfo`, headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(expired.statusCode, 401);
    t.clock.advanceSeconds(-301);
  });

  it('answers revocation of invalid tokens the RFC 7009 way', async () => {
    const revoke = (fields: Record<string, string>) => t.app.inject({ method: 'POST', url: `${DEMO}/revoke`, ...form(fields) });
    const missing = await revoke({ ...SERVICE });
    assert.deepEqual({ status: missing.statusCode, ...(missing.json() as object) }, { status: 400, error: 'invalid_request', error_description: 'Token not provided' });
    const invalid = await revoke({ token: 'garbage', ...SERVICE });
    assert.equal(invalid.statusCode, 200);
    const foreign = await revoke({ token: refreshToken, client_id: 'demo-app' });
    assert.deepEqual({ status: foreign.statusCode, ...(foreign.json() as object) }, { status: 400, error: 'invalid_request', error_description: 'Unmatching clients' });
  });

  it('answers unknown realms and pages with 404, never 500', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/realms/nope/.well-known/openid-configuration' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error, 'Realm does not exist');
    const weird = await t.app.inject({ method: 'POST', url: `/realms/${'%ff'.repeat(10)}/protocol/openid-connect/token`, ...form({ grant_type: 'password' }) });
    assert.ok(weird.statusCode < 500, String(weird.statusCode));
    for (const host of ['evil.example/<script>', 'localhost:99999', '[::1', 'a b']) {
      for (const url of ['/realms/demo', `${DEMO}/logout`]) {
        const badHost = await t.app.inject({ method: 'GET', url, headers: { host } });
        assert.deepEqual([badHost.statusCode, badHost.json()], [400, { error: 'invalid_request', error_description: 'Invalid Host header' }], `${host} at ${url}`);
      }
    }
  });

  it('rejects bad authorization requests with an error page or an error redirect', async () => {
    const auth = (query: Record<string, string>) => t.app.inject({ method: 'GET', url: `${DEMO}/auth?${new URLSearchParams(query)}` });
    const valid = { client_id: 'demo-app', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid' };
    const unknownClient = await auth({ ...valid, client_id: 'nobody' });
    assert.equal(unknownClient.statusCode, 400);
    assert.match(unknownClient.body, /Client not found\./);
    for (const uri of ['http://evil.example/cb', 'http://localhost:3000.evil.example/', 'http://localhost:3001/cb', 'http://localhost:3000/cb#a#b', 'javascript:alert(1)']) {
      const wrongRedirect = await auth({ ...valid, redirect_uri: uri });
      assert.equal(wrongRedirect.statusCode, 400, uri);
      assert.match(wrongRedirect.body, /Invalid parameter: redirect_uri/);
      assert.equal(wrongRedirect.headers.location, undefined);
    }
    const noPkce = await auth({ ...valid, state: 's1' });
    assert.equal(noPkce.statusCode, 302);
    const location = new URL(noPkce.headers.location as string);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('state'), 's1');
    const token = await auth({ ...valid, response_type: 'token', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' });
    assert.equal(new URLSearchParams(new URL(token.headers.location as string).hash.slice(1)).get('error'), 'unauthorized_client');
    const unknown = await auth({ ...valid, response_type: 'magic' });
    assert.equal(new URL(unknown.headers.location as string).searchParams.get('error'), 'unsupported_response_type');
    const scope = await auth({ ...valid, scope: 'openid root', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' });
    assert.equal(new URL(scope.headers.location as string).searchParams.get('error'), 'invalid_scope');
    const duplicate = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?client_id=demo-app&client_id=demo-service` });
    assert.equal(duplicate.statusCode, 400);
  });
});
