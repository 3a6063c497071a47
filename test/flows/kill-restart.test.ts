/**
 * Acceptance: sessions survive a kill -9. 200 sessions (half code flow through the login form,
 * half password grant), 10 logged out, the process killed with SIGKILL and restarted on the same
 * data directory: the 190 live sessions refresh, the 10 logged-out ones fail with invalid_grant,
 * tokens issued before the kill verify with the same key, and a code issued before the kill can
 * be redeemed exactly once after it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { codeThroughLogin, inBatches, logoutWithRefreshToken, passwordGrant, redeemCode, refresh } from '../support/oidc-requests.ts';

describe('kill -9 and restart', () => {
  const dataDir = tempDir();
  let server: RunningHoldfast;

  before(async () => {
    server = await startHoldfast({ dataDir });
  });
  after(async () => {
    await server.stop('SIGTERM');
  });

  it('keeps every live session, every logout and every unredeemed code', async () => {
    const viaCode = await inBatches(Array.from({ length: 100 }), 6, async () => {
      const issued = await codeThroughLogin(server.url);
      const { status, body } = await redeemCode(server.url, issued);
      assert.equal(status, 200, JSON.stringify(body));
      return body;
    });
    const viaPassword = await inBatches(Array.from({ length: 100 }), 6, async () => {
      const { status, body } = await passwordGrant(server.url);
      assert.equal(status, 200, JSON.stringify(body));
      return body;
    });
    const sessions = [...viaCode, ...viaPassword];
    assert.equal(new Set(sessions.map((s) => s.session_state)).size, 200);

    const loggedOut = [...sessions.slice(0, 5), ...sessions.slice(100, 105)];
    const live = [...sessions.slice(5, 100), ...sessions.slice(105)];
    for (const session of loggedOut) assert.equal(await logoutWithRefreshToken(server.url, session.refresh_token), 204);
    // Some sessions were refreshed before the kill: their rotated tokens must work after it.
    for (const session of live.slice(0, 20)) {
      const { status, body } = await refresh(server.url, session.refresh_token);
      assert.equal(status, 200);
      session.refresh_token = body.refresh_token;
    }
    const pendingCode = await codeThroughLogin(server.url);
    const kidBefore = decodeProtectedHeader(sessions[0].access_token).kid;

    assert.equal(await server.stop('SIGKILL'), null);
    server = await startHoldfast({ dataDir, port: server.port });

    const results = await inBatches(live, 8, (session) => refresh(server.url, session.refresh_token));
    assert.deepEqual(
      results.filter((r) => r.status !== 200),
      [],
    );
    assert.equal(results.length, 190);
    for (const session of loggedOut) {
      const { status, body } = await refresh(server.url, session.refresh_token);
      assert.equal(status, 400);
      assert.equal(body.error, 'invalid_grant');
      assert.equal(body.error_description, 'Session not active');
    }

    const issuer = `${server.url}/realms/demo`;
    const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const { protectedHeader } = await jwtVerify(sessions[10].access_token, jwks, { issuer, currentDate: new Date() });
    assert.equal(protectedHeader.kid, kidBefore);
    assert.equal(decodeProtectedHeader(results[0].body.access_token).kid, kidBefore);

    const first = await redeemCode(server.url, pendingCode);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const second = await redeemCode(server.url, pendingCode);
    assert.equal(second.status, 400);
    assert.deepEqual(second.body, { error: 'invalid_grant', error_description: 'Code not valid' });
  });
});
