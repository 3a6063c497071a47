/**
 * A brokered login survives kill -9 of holdfast twice: once between the redirect to the upstream
 * and its callback (the state and the login in progress are in the durable store, so the
 * callback after the restart completes the login), and once after it (the brokered session
 * refreshes, still carrying the broker's notes: its `identity_provider` claim).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get } from '../support/browser.ts';
import { startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { Browser, appAuthorization, redeem, setUpBrokerRealms, socialLink, upstreamLogin } from './broker-support.ts';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('brokered login and kill -9', () => {
  const dataDir = tempDir();
  let server: RunningHoldfast;

  before(async () => {
    server = await startHoldfast({ dataDir });
    const { brokeredAdmin } = await setUpBrokerRealms(server);
    const app = (await brokeredAdmin.clients.find({ clientId: 'app' }))[0];
    await brokeredAdmin.clients.addProtocolMapper({ id: app.id! }, { name: 'identity provider', protocol: 'openid-connect', protocolMapper: 'oidc-usersessionmodel-note-mapper', config: { 'user.session.note': 'identity_provider', 'claim.name': 'identity_provider', 'jsonType.label': 'String', 'access.token.claim': 'true' } });
  });
  after(async () => {
    await server.stop('SIGTERM');
  });

  const restart = async () => {
    assert.equal(await server.stop('SIGKILL'), null);
    server = await startHoldfast({ dataDir, port: server.port });
  };

  it('completes a login whose callback comes after a kill -9, and its session refreshes after another', async () => {
    const browser = new Browser();
    const { url, verifier } = appAuthorization(server.url);
    const html = await (await get(url, browser.down)).text();
    const toUpstream = await get(socialLink(html, 'upstream'), browser.down);
    const callback = await upstreamLogin(browser, toUpstream.headers.get('location')!);

    await restart();
    const back = await get(callback, browser.down);
    assert.equal(back.status, 302, await back.clone().text());
    const tokens = await redeem(server.url, back.headers.get('location')!, verifier);
    assert.equal(typeof tokens.refresh_token, 'string', JSON.stringify(tokens));
    // The state was spent before the kill's twin: the same callback again is refused.
    assert.equal((await get(callback, browser.down)).status, 400);

    await restart();
    const refreshed = await fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'app' }) });
    assert.equal(refreshed.status, 200);
    const body = await refreshed.json();
    assert.equal(claimsOf(body.access_token).sub, claimsOf(tokens.access_token).sub);
    assert.equal(claimsOf(body.access_token).sid, claimsOf(tokens.access_token).sid);
    assert.equal(claimsOf(body.access_token).identity_provider, 'upstream', 'the session notes were stored');
  });
});
