/**
 * Acceptance: an offline token (code flow with `offline_access`) survives the logout of the
 * online SSO session it was born in and a kill -9 restart, and is ended by `revoke`. Real process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from '../support/app.ts';
import { CookieJar, get, loginThroughForm } from '../support/browser.ts';
import { startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { DEMO_REDIRECT, DEMO_SERVICE, authorizationRequest, refresh, tokenRequest } from '../support/oidc-requests.ts';

describe('offline token', () => {
  const dataDir = tempDir();
  let server: RunningHoldfast;
  before(async () => {
    server = await startHoldfast({ dataDir });
  });
  after(() => server.stop('SIGTERM'));

  const endpoint = (name: string) => `${server.url}/realms/demo/protocol/openid-connect/${name}`;

  it('survives logout of the online session and a kill -9, and is ended by revoke', async () => {
    const jar = new CookieJar();
    const request = authorizationRequest(server.url);
    const url = new URL(request.url);
    url.searchParams.set('scope', 'openid offline_access');
    const location = await loginThroughForm(url.toString(), 'alice', 'alice', jar);
    const code = location.searchParams.get('code')!;
    const tokens = await tokenRequest(server.url, { grant_type: 'authorization_code', code, code_verifier: request.verifier, redirect_uri: DEMO_REDIRECT, ...DEMO_SERVICE });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(decodeJwt(tokens.body.refresh_token).typ, 'Offline');
    assert.equal(decodeJwt(tokens.body.refresh_token).sid, tokens.body.session_state);

    // Log the browser out of its online SSO session (RP-initiated, with the ID token as hint).
    const loggedOut = await get(`${endpoint('logout')}?${new URLSearchParams({ id_token_hint: tokens.body.id_token })}`, jar);
    assert.equal(loggedOut.status, 200);
    await loggedOut.arrayBuffer();
    const silent = new URL(request.url);
    silent.searchParams.set('prompt', 'none');
    const noSso = await get(silent.toString(), jar);
    assert.equal(noSso.status, 302);
    assert.equal(new URL(noSso.headers.get('location')!).searchParams.get('error'), 'login_required');

    const afterLogout = await refresh(server.url, tokens.body.refresh_token);
    assert.equal(afterLogout.status, 200, JSON.stringify(afterLogout.body));
    assert.equal(decodeJwt(afterLogout.body.refresh_token).typ, 'Offline');

    assert.equal(await server.stop('SIGKILL'), null);
    server = await startHoldfast({ dataDir, port: server.port });
    const afterRestart = await refresh(server.url, afterLogout.body.refresh_token);
    assert.equal(afterRestart.status, 200, JSON.stringify(afterRestart.body));

    const revoked = await fetch(endpoint('revoke'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: afterRestart.body.refresh_token, ...DEMO_SERVICE }),
    });
    assert.equal(revoked.status, 200);
    await revoked.arrayBuffer();
    for (const token of [afterRestart.body.refresh_token, tokens.body.refresh_token]) {
      const answer = await refresh(server.url, token);
      assert.deepEqual([answer.status, answer.body.error, answer.body.error_description], [400, 'invalid_grant', 'Offline user session not found']);
    }
  });
});
