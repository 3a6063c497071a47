/**
 * Acceptance of the device authorization grant (RFC 8628) with openid-client 6 as the device,
 * against a real listening holdfast on SQLite: the device asks for codes and polls while a
 * person opens `verification_uri_complete`, logs in through the form and approves the device;
 * the polling ends with tokens that verify against the realm's JWKS. Then the durability the
 * grant promises: an approved device code survives a restart (kill -9) and gives tokens once,
 * and a redeemed one is refused after the next restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { buildBundle, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { CookieJar, formAction, get, postForm } from '../support/browser.ts';
import { seedClient } from '../support/seed-client.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const unescape = (html: string): string => html.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

/** The person's side: open the link, log in as alice, answer the approval page. Returns the outcome page. */
async function approveInBrowser(verificationUriComplete: string, answer: 'accept' | 'cancel', jar = new CookieJar()): Promise<string> {
  const loginPage = await get(verificationUriComplete, jar);
  assert.equal(loginPage.status, 200);
  const approval = await postForm(formAction(await loginPage.text()), { username: 'alice', password: 'alice', credentialId: '' }, jar);
  assert.equal(approval.status, 200);
  const html = await approval.text();
  assert.match(html, /Do you grant these access privileges\?/);
  assert.match(html, /User profile/);
  const action = unescape(html.match(/<form class="form-actions" action="([^"]+)"/)![1]);
  const code = unescape(html.match(/name="code" value="([^"]+)"/)![1]);
  const answered = await postForm(action, { code, [answer]: answer === 'accept' ? 'Yes' : 'No' }, jar);
  assert.equal(answered.status, 302);
  const status = await get(answered.headers.get('location')!, jar);
  assert.equal(status.status, 200);
  return status.text();
}

async function poll(server: RunningHoldfast, clientId: string, deviceCode: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/realms/demo/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: DEVICE_GRANT, client_id: clientId, device_code: deviceCode }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('device authorization grant with openid-client 6', () => {
  const dataDir = tempDir();
  let bundle: string | undefined;
  let server: RunningHoldfast;
  let issuer: string;
  let config: oidc.Configuration;

  before(async () => {
    await seedClient(dataDir, 'demo', {
      clientId: 'tv',
      publicClient: true,
      standardFlowEnabled: false,
      attributes: { 'oauth2.device.authorization.grant.enabled': 'true', 'oauth2.device.polling.interval': '1' },
    });
    bundle = await buildBundle();
    server = await startHoldfast({ dataDir, bundle });
    issuer = `${server.url}/realms/demo`;
    config = await oidc.discovery(new URL(issuer), 'tv', {}, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    await server.stop('SIGTERM');
  });

  it('advertises the endpoint and the grant', () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.device_authorization_endpoint, `${issuer}/protocol/openid-connect/auth/device`);
    assert.ok(metadata.grant_types_supported?.includes(DEVICE_GRANT));
  });

  it('polls until the person approves, then gets verified tokens', async () => {
    const authorization = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile' });
    assert.match(authorization.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(authorization.verification_uri, `${issuer}/device`);
    assert.equal(authorization.verification_uri_complete, `${issuer}/device?user_code=${authorization.user_code}`);
    assert.equal(authorization.expires_in, 600);
    assert.equal(authorization.interval, 1);

    // The device polls (authorization_pending meanwhile) while the person approves; bounded by 30 s.
    const polling = oidc.pollDeviceAuthorizationGrant(config, authorization, undefined, { signal: AbortSignal.timeout(30_000) });
    const outcome = await approveInBrowser(authorization.verification_uri_complete!, 'accept');
    assert.match(outcome, /Device Login Successful/);
    const tokens = await polling;

    const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const { payload: access } = await jwtVerify(tokens.access_token, jwks, { issuer });
    assert.equal(access.azp, 'tv');
    assert.equal(access.preferred_username, 'alice');
    assert.match(String(access.jti), /^onrtdg:/);
    const { payload: id } = await jwtVerify(tokens.id_token!, jwks, { issuer, audience: 'tv' });
    assert.equal(id.sid, access.sid);
    assert.equal(tokens.scope, 'openid profile email');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()!.sid, access.sid);
    // The code was consumed by the successful poll.
    assert.deepEqual((await poll(server, 'tv', authorization.device_code)).body, { error: 'invalid_grant', error_description: 'Device code not valid' });
  });

  it('answers access_denied once the person says no', async () => {
    const authorization = await oidc.initiateDeviceAuthorization(config, {});
    const outcome = await approveInBrowser(authorization.verification_uri_complete!, 'cancel');
    assert.match(outcome, /Consent denied for connecting the device\./);
    await assert.rejects(oidc.pollDeviceAuthorizationGrant(config, authorization, undefined, { signal: AbortSignal.timeout(30_000) }), (error: unknown) => {
      assert.ok(error instanceof oidc.ResponseBodyError);
      assert.equal(error.error, 'access_denied');
      assert.equal(error.error_description, 'The end user denied the authorization request');
      return true;
    });
  });

  it('keeps an approved device code across a restart and redeems it exactly once', async () => {
    const authorization = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    assert.match(await approveInBrowser(authorization.verification_uri_complete!, 'accept'), /Device Login Successful/);

    await server.stop('SIGKILL');
    server = await startHoldfast({ dataDir, bundle, port: server.port });
    const redeemed = await poll(server, 'tv', authorization.device_code);
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    assert.ok(redeemed.body.access_token);

    await server.stop('SIGKILL');
    server = await startHoldfast({ dataDir, bundle, port: server.port });
    // Polled again within the interval would be slow_down; the refusal must come from the spent code.
    assert.deepEqual(await poll(server, 'tv', authorization.device_code), { status: 400, body: { error: 'invalid_grant', error_description: 'Device code not valid' } });
  });
});
