/**
 * Transient sessions (keycloak-compat.md §8.3): client_credentials stores nothing and issues no
 * refresh token unless the client sets `client_credentials.use_refresh_token`; a client with
 * holdfast's `holdfast.session.transient` gets transient password-grant sessions, whose tokens
 * name a session nobody stored, so refresh and userinfo answer with Keycloak's errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, decodeJwt, testApp, type TestApp } from '../support/app.ts';
import { SERVICE, assertOAuthError, configureClient, passwordGrant, refresh, tokenRequest } from './helpers.ts';

describe('transient sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  const stored = () => t.ctx.store.countUserSessions();
  const userinfo = (accessToken: string) => t.app.inject({ method: 'GET', url: `${DEMO}/userinfo`, headers: { authorization: `Bearer ${accessToken}` } });

  it('client_credentials: a token and nothing stored; userinfo still answers', async () => {
    await configureClient(t, 'demo-service', { 'client_credentials.use_refresh_token': undefined });
    const before = await stored();
    const { status, body } = await tokenRequest(t, { grant_type: 'client_credentials', ...SERVICE });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.refresh_token, undefined);
    assert.equal(body.refresh_expires_in, 0);
    assert.equal(body.session_state, undefined);
    const claims = decodeJwt(body.access_token);
    assert.match(claims.jti, /^trrtcc:/);
    assert.equal(claims.sid, undefined);
    assert.equal(await stored(), before);
    const info = await userinfo(body.access_token);
    assert.equal(info.statusCode, 200, info.body);
    assert.equal(info.json().sub, claims.sub);
  });

  it('client_credentials with client_credentials.use_refresh_token: a stored session and a refresh token', async () => {
    await configureClient(t, 'demo-service', { 'client_credentials.use_refresh_token': 'true' });
    const before = await stored();
    const { status, body } = await tokenRequest(t, { grant_type: 'client_credentials', ...SERVICE });
    assert.equal(status, 200, JSON.stringify(body));
    assert.ok(body.refresh_token);
    assert.equal(typeof body.session_state, 'string');
    assert.match(decodeJwt(body.access_token).jti, /^onrtcc:/);
    assert.equal(await stored(), before + 1);
    assert.equal((await refresh(t, body.refresh_token)).status, 200);
    await configureClient(t, 'demo-service', { 'client_credentials.use_refresh_token': undefined });
  });

  it('password grant with holdfast.session.transient: tokens for a session nobody stored', async () => {
    await configureClient(t, 'demo-service', { 'holdfast.session.transient': 'true' });
    try {
      const before = await stored();
      const { status, body } = await passwordGrant(t);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(await stored(), before);
      const claims = decodeJwt(body.access_token);
      assert.match(claims.jti, /^trrtro:/);
      assert.equal(claims.sid, body.session_state);
      assert.equal(decodeJwt(body.refresh_token).sid, body.session_state);

      assertOAuthError(await refresh(t, body.refresh_token), 400, 'invalid_grant', 'Session not active');
      const info = await userinfo(body.access_token);
      assert.equal(info.statusCode, 401);
      assert.deepEqual(info.json(), { error: 'invalid_token', error_description: 'Session not found' });
      assert.match(info.headers['www-authenticate'] as string, /error="invalid_token", error_description="Session not found"/);

      // Offline access asks for a stored session by definition: it gets one.
      const offline = await passwordGrant(t, 'alice', 'alice', 'openid offline_access');
      assert.equal(offline.status, 200);
      assert.equal(await stored(), before + 1);
      assert.equal((await refresh(t, offline.body.refresh_token)).status, 200);
    } finally {
      await configureClient(t, 'demo-service', { 'holdfast.session.transient': undefined });
    }
  });
});
