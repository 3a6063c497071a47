/**
 * Acceptance: a standard relying party (openid-client 6) runs the authorization-code + PKCE flow
 * against a real listening holdfast, scraping and posting the login form like a browser, then
 * userinfo, refresh, introspection, revocation and RP-initiated logout. Tokens are verified
 * against the published JWKS with the expected iss, aud, azp, sid and nonce.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { CookieJar, get, loginThroughForm } from '../support/browser.ts';

const REDIRECT_URI = 'http://localhost:3000/callback';

describe('openid-client 6 against a running holdfast', () => {
  let server: RunningHoldfast;
  let config: oidc.Configuration;
  let issuer: string;

  before(async () => {
    server = await startHoldfast({ dataDir: tempDir() });
    issuer = `${server.url}/realms/demo`;
    config = await oidc.discovery(new URL(issuer), 'demo-service', {}, oidc.ClientSecretBasic('demo-service-secret'), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    assert.equal(await server.stop('SIGTERM'), 0);
  });

  it('runs code + PKCE, userinfo, refresh, introspection, revocation and logout', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });
    const jar = new CookieJar();
    const callback = await loginThroughForm(authorizationUrl.href, 'alice', 'alice', jar);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    assert.equal(callback.searchParams.get('iss'), issuer);
    assert.ok(callback.searchParams.get('session_state'));

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state });
    const idClaims = tokens.claims()!;
    assert.equal(idClaims.iss, issuer);
    assert.equal(idClaims.aud, 'demo-service');
    assert.equal(idClaims.azp, 'demo-service');
    assert.equal(idClaims.nonce, nonce);
    assert.equal(idClaims.sid, callback.searchParams.get('session_state'));
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'openid profile email');

    const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const { payload: access, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer, audience: 'account' });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(access.azp, 'demo-service');
    assert.equal(access.sid, idClaims.sid);
    assert.equal(access.typ, 'Bearer');
    assert.equal(access.nonce, undefined, 'Keycloak 25+ keeps the nonce to the ID token');
    assert.equal(access.preferred_username, 'alice');
    assert.deepEqual((access.realm_access as { roles: string[] }).roles.includes('offline_access'), true);
    await jwtVerify(tokens.id_token!, jwks, { issuer, audience: 'demo-service' });

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    assert.equal(userinfo.email, 'alice@example.com');
    assert.equal(userinfo.name, 'Alice Liddell');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()!.sid, idClaims.sid);
    const refreshClaims = JSON.parse(Buffer.from(refreshed.refresh_token!.split('.')[1], 'base64url').toString());
    assert.equal(refreshClaims.typ, 'Refresh');

    const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, 'demo-service');
    assert.equal(introspected.username, 'alice');

    // SSO: a second authorization request in the same browser skips the form.
    const second = await get(
      oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }).href,
      jar,
    );
    assert.equal(second.status, 302);
    assert.ok(new URL(second.headers.get('location')!).searchParams.get('code'));

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (error: any) => error.error === 'invalid_grant');
    const afterRevoke = await oidc.tokenIntrospection(config, refreshed.access_token);
    assert.equal(afterRevoke.active, false);

    const logoutUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://localhost:3000/bye', state: 'xyz' });
    const logout = await get(logoutUrl.href, jar);
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get('location'), 'http://localhost:3000/bye?state=xyz');
    // The browser session is gone: a new authorization request shows the form again.
    const third = await get(authorizationUrl.href, jar);
    assert.equal(third.status, 200);
    assert.match(await third.text(), /id="kc-form-login"/);
  });
});
