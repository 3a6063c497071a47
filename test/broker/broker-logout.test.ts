/**
 * Logout of brokered sessions against a real upstream realm, as Keycloak does it: with a
 * `logoutUrl` and no `backchannelSupported` the browser is sent to the upstream's end-session
 * endpoint (state, id_token_hint, post_logout_redirect_uri = the broker's logout_response) and
 * comes back to the application's redirect; with `backchannelSupported` holdfast ends the upstream
 * session itself, also when the session ends by its refresh token; and the upstream's own
 * back-channel logout token ends the brokered session at holdfast, also one that names only the
 * upstream session (`sid`, no `sub`: the session whose broker_session_id matches, and only that
 * one), while forged, foreign or incomplete tokens get Keycloak's 400s and their texts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { signAsymmetric } from '../../src/crypto/index.ts';
import { get } from '../support/browser.ts';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { Browser, brokeredLogin, providerConfig, redeem, setUpBrokerRealms, type BrokerRealms } from './broker-support.ts';

const BYE = 'http://app.example/bye';

describe('brokered logout', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  let provider: Awaited<ReturnType<BrokerRealms['brokeredAdmin']['identityProviders']['findOne']>>;
  const logoutUrl = () => `${server.url}/realms/upstream/protocol/openid-connect/logout`;
  const setProvider = (extra: Record<string, string>) => realms.brokeredAdmin.identityProviders.update({ alias: 'upstream' }, { ...provider, config: { ...providerConfig(server.url), guiOrder: '2', logoutUrl: logoutUrl(), ...extra } });
  const backchannel = (body: Record<string, string>) => fetch(`${server.url}/realms/brokered/protocol/openid-connect/logout/backchannel-logout`, { method: 'POST', body: new URLSearchParams(body) });

  async function userId(admin: BrokerRealms['brokeredAdmin']): Promise<string> {
    return (await admin.users.find({ username: 'bob', exact: true }))[0].id!;
  }

  /** Waits (bounded) until the user has `count` sessions in the realm. */
  async function sessionsBecome(admin: BrokerRealms['brokeredAdmin'], count: number): Promise<void> {
    const id = await userId(admin);
    let seen = -1;
    for (let i = 0; i < 100; i++) {
      seen = (await admin.users.listSessions({ id })).length;
      if (seen === count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`expected ${count} sessions, saw ${seen}`);
  }

  async function login(): Promise<{ browser: Browser; tokens: any }> {
    const browser = new Browser();
    const result = await brokeredLogin(server, browser);
    assert.equal(result.response.status, 302, await result.response.clone().text());
    return { browser, tokens: await redeem(server.url, result.response.headers.get('location')!, result.verifier) };
  }

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    provider = await realms.brokeredAdmin.identityProviders.findOne({ alias: 'upstream' });
    const broker = (await realms.upstreamAdmin.clients.find({ clientId: 'holdfast-broker' }))[0];
    await realms.upstreamAdmin.clients.update({ id: broker.id! }, { ...broker, attributes: { ...broker.attributes, 'post.logout.redirect.uris': `${server.url}/realms/brokered/broker/upstream/endpoint/logout_response` } });
    const app = (await realms.brokeredAdmin.clients.find({ clientId: 'app' }))[0];
    await realms.brokeredAdmin.clients.update({ id: app.id! }, { ...app, attributes: { ...app.attributes, 'post.logout.redirect.uris': BYE } });
  });
  after(async () => {
    await server.close();
  });

  it('sends the browser through the upstream end-session endpoint, then to the application', async () => {
    await setProvider({});
    const { browser, tokens } = await login();
    await sessionsBecome(realms.upstreamAdmin, 1);
    const logout = await get(`${server.url}/realms/brokered/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: BYE, state: 'st' })}`, browser.down);
    assert.equal(logout.status, 302);
    const upstream = new URL(logout.headers.get('location')!);
    assert.equal(`${upstream.origin}${upstream.pathname}`, logoutUrl());
    assert.equal(upstream.searchParams.get('post_logout_redirect_uri'), `${server.url}/realms/brokered/broker/upstream/endpoint/logout_response`);
    assert.ok((upstream.searchParams.get('state') ?? '').length >= 32);
    const hint = upstream.searchParams.get('id_token_hint')!;
    assert.equal(JSON.parse(Buffer.from(hint.split('.')[1], 'base64url').toString()).iss, `${server.url}/realms/upstream`, 'the upstream ID token');
    await sessionsBecome(realms.brokeredAdmin, 0);

    const back = await get(upstream.href, browser.up);
    assert.equal(back.status, 302);
    const returnUrl = back.headers.get('location')!;
    assert.ok(returnUrl.startsWith(`${server.url}/realms/brokered/broker/upstream/endpoint/logout_response?`));
    await sessionsBecome(realms.upstreamAdmin, 0);
    const done = await get(returnUrl, browser.down);
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), `${BYE}?state=st`);

    // The return is single use, and a forged one is Keycloak's error page.
    const again = await get(returnUrl, browser.down);
    assert.equal(again.status, 400);
    assert.match(await again.text(), /Unexpected error when authenticating with identity provider/);
    assert.equal((await get(`${server.url}/realms/brokered/broker/upstream/endpoint/logout_response?state=${'x'.repeat(43)}`, browser.down)).status, 400);
    assert.equal((await get(`${server.url}/realms/brokered/broker/upstream/endpoint/logout_response`, browser.down)).status, 400);
  });

  it('with backchannelSupported ends the upstream session from the server, whatever ends the brokered one', async () => {
    await setProvider({ backchannelSupported: 'true' });
    try {
      const { browser, tokens } = await login();
      await sessionsBecome(realms.upstreamAdmin, 1);
      const logout = await get(`${server.url}/realms/brokered/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: BYE })}`, browser.down);
      assert.equal(logout.status, 302);
      assert.equal(logout.headers.get('location'), BYE, 'straight back to the application');
      await sessionsBecome(realms.upstreamAdmin, 0);

      // The refresh-token logout of an application (no browser) reaches the upstream too.
      const second = await login();
      await sessionsBecome(realms.upstreamAdmin, 1);
      const ended = await fetch(`${server.url}/realms/brokered/protocol/openid-connect/logout`, { method: 'POST', body: new URLSearchParams({ client_id: 'app', refresh_token: second.tokens.refresh_token }) });
      assert.equal(ended.status, 204);
      await sessionsBecome(realms.upstreamAdmin, 0);
    } finally {
      await setProvider({});
    }
  });

  it("ends the brokered session when the upstream's back-channel logout token says so", async () => {
    const broker = (await realms.upstreamAdmin.clients.find({ clientId: 'holdfast-broker' }))[0];
    await realms.upstreamAdmin.clients.update({ id: broker.id! }, { ...broker, attributes: { ...broker.attributes, 'backchannel.logout.url': `${server.url}/realms/brokered/protocol/openid-connect/logout/backchannel-logout`, 'backchannel.logout.session.required': 'true' } });
    try {
      const { tokens } = await login();
      await sessionsBecome(realms.brokeredAdmin, 1);
      await realms.upstreamAdmin.users.logout({ id: await userId(realms.upstreamAdmin) });
      await sessionsBecome(realms.brokeredAdmin, 0);
      const refresh = await fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'app', refresh_token: tokens.refresh_token }) });
      assert.equal(refresh.status, 400);
    } finally {
      await realms.upstreamAdmin.clients.update({ id: broker.id! }, broker);
    }
  });

  /** A logout token the upstream realm signs with its own active key (its JWKS is the one the broker checks). */
  async function upstreamLogoutToken(claims: Record<string, unknown>): Promise<string> {
    const upstream = (await server.holdfast.ctx.realms.getRealm('upstream'))!;
    const now = Math.floor(Date.now() / 1000);
    const base = { iss: `${server.url}/realms/upstream`, aud: 'holdfast-broker', iat: now, exp: now + 60, jti: `j-${now}-${Math.random()}`, typ: 'Logout', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } };
    const token = Object.fromEntries(Object.entries({ ...base, ...claims }).filter(([, value]) => value !== undefined));
    return signAsymmetric(token as never, upstream.keys, undefined, 'logout+jwt');
  }

  const sessionOf = (tokens: any) => JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString()).sid as string;

  it('ends only the brokered session whose broker session id a sid-only logout token names', async () => {
    const first = await login();
    const second = await login();
    await sessionsBecome(realms.brokeredAdmin, 2);
    await sessionsBecome(realms.upstreamAdmin, 2);
    const upstreamSessions = await realms.upstreamAdmin.users.listSessions({ id: await userId(realms.upstreamAdmin) });
    // The upstream session of the first login, as the broker recorded it on the brokered session.
    const stored = await server.holdfast.ctx.store.getUserSession(sessionOf(first.tokens), false);
    const upstreamSid = stored!.notes!.broker_session_id.slice('upstream.'.length);
    assert.ok(upstreamSessions.some((s) => s.id === upstreamSid), 'broker_session_id names a real upstream session');

    const response = await backchannel({ logout_token: await upstreamLogoutToken({ sid: upstreamSid }) });
    assert.equal(response.status, 200, await response.clone().text());
    await sessionsBecome(realms.brokeredAdmin, 1);
    const left = await realms.brokeredAdmin.users.listSessions({ id: await userId(realms.brokeredAdmin) });
    assert.deepEqual(left.map((s) => s.id), [sessionOf(second.tokens)], 'the other brokered session stays');
    const refresh = (tokens: any) => fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'app', refresh_token: tokens.refresh_token }) });
    assert.equal((await refresh(first.tokens)).status, 400);
    assert.equal((await refresh(second.tokens)).status, 200);

    // A sid no brokered session has ends nothing, and is no error (Keycloak answers 200 too).
    assert.equal((await backchannel({ logout_token: await upstreamLogoutToken({ sid: 'no-such-session' }) })).status, 200);
    await sessionsBecome(realms.brokeredAdmin, 1);
    await realms.brokeredAdmin.users.logout({ id: await userId(realms.brokeredAdmin) });
    await realms.upstreamAdmin.users.logout({ id: await userId(realms.upstreamAdmin) });
    await sessionsBecome(realms.brokeredAdmin, 0);
  });

  it("refuses a vouched-for logout token that lacks sid and sub, the event, a jti or an iat, or has a nonce, with Keycloak's texts", async () => {
    await login();
    await sessionsBecome(realms.brokeredAdmin, 1);
    const sub = (await server.holdfast.ctx.realms.repository.listFederatedIdentities(await userId(realms.brokeredAdmin)))[0].federatedUserId;
    for (const [claims, description] of [
      [{}, 'Missing sid or sub claim'],
      [{ sub, events: { other: {} } }, 'The LogoutToken event claim is not as expected'],
      [{ sub, nonce: 'n' }, 'The LogoutToken contains a nonce claim which is not allowed'],
      [{ sub, jti: undefined }, 'The logoutToken jti is missing'],
      [{ sub, iat: undefined }, "The LogoutToken doesn't contain an iat claim"],
    ] as const) {
      const response = await backchannel({ logout_token: await upstreamLogoutToken(claims) });
      assert.equal(response.status, 400, description);
      assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: description });
    }
    await sessionsBecome(realms.brokeredAdmin, 1);
    await realms.brokeredAdmin.users.logout({ id: await userId(realms.brokeredAdmin) });
    await sessionsBecome(realms.brokeredAdmin, 0);
  });

  it('refuses missing, undecodable, foreign and forged logout tokens as Keycloak does', async () => {
    await login();
    const expect = async (response: Response, description: string) => {
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: description });
    };
    await expect(await backchannel({}), 'No logout token');
    await expect(await backchannel({ logout_token: 'abc' }), 'The decode of the logoutToken failed');
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const sub = (await server.holdfast.ctx.realms.repository.listFederatedIdentities(await userId(realms.brokeredAdmin)))[0].federatedUserId;
    const forge = (iss: string) => new SignJWT({ iss, aud: 'holdfast-broker', sub, iat: now, exp: now + 60, jti: 'j', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }).setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'forged' }).sign(privateKey);
    await expect(await backchannel({ logout_token: await forge('http://nowhere.example') }), 'No Identity Provider has been found');
    await expect(await backchannel({ logout_token: await forge(`${server.url}/realms/upstream`) }), 'LogoutToken verification with identity provider failed');
    await sessionsBecome(realms.brokeredAdmin, 1);
  });
});
