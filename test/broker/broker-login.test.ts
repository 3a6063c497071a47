/**
 * The broker login flow end to end against a real upstream (a second realm of the same holdfast,
 * over real HTTP): "Sign in with Upstream" on the login page, the state, nonce and PKCE of the
 * redirect, the code exchange with signature-checked ID token, a local user created and linked on
 * the first login, the link reused on the second, `kc_idp_hint` going straight upstream, and the
 * same login through a provider of kind `keycloak-oidc`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get } from '../support/browser.ts';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { APP_REDIRECT, Browser, appAuthorization, brokeredLogin, providerConfig, redeem, setUpBrokerRealms, socialLink, upstreamLogin, type BrokerRealms } from './broker-support.ts';

describe('broker login flow', () => {
  let server: AdminServer;
  let realms: BrokerRealms;

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
  });
  after(async () => {
    await server.close();
  });

  it('shows the enabled, visible providers in guiOrder as Keycloak links to /broker/{alias}/login', async () => {
    await realms.brokeredAdmin.identityProviders.create({ alias: 'first', providerId: 'oidc', displayName: 'First', config: { clientId: 'x', authorizationUrl: 'https://idp.example/a', tokenUrl: 'https://idp.example/t', guiOrder: '1' } });
    await realms.brokeredAdmin.identityProviders.create({ alias: 'hidden', providerId: 'oidc', hideOnLogin: true, config: { clientId: 'x', authorizationUrl: 'https://idp.example/a', tokenUrl: 'https://idp.example/t' } });
    await realms.brokeredAdmin.identityProviders.create({ alias: 'off', providerId: 'oidc', enabled: false, config: { clientId: 'x', authorizationUrl: 'https://idp.example/a', tokenUrl: 'https://idp.example/t' } });
    try {
      const browser = new Browser();
      const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
      const ids = [...html.matchAll(/<a id="social-([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(ids, ['first', 'upstream']);
      const link = new URL(socialLink(html, 'upstream'));
      assert.equal(link.pathname, '/realms/brokered/broker/upstream/login');
      assert.deepEqual([...link.searchParams.keys()].sort(), ['client_id', 'session_code', 'tab_id']);
      assert.match(html, />Upstream</);
    } finally {
      for (const alias of ['first', 'hidden', 'off']) await realms.brokeredAdmin.identityProviders.del({ alias });
    }
  });

  it('sends the browser upstream with state, nonce and PKCE S256', async () => {
    const browser = new Browser();
    const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
    const redirect = await get(socialLink(html, 'upstream'), browser.down);
    assert.equal(redirect.status, 302);
    const target = new URL(redirect.headers.get('location')!);
    assert.equal(`${target.origin}${target.pathname}`, `${server.url}/realms/upstream/protocol/openid-connect/auth`);
    const q = target.searchParams;
    assert.equal(q.get('client_id'), 'holdfast-broker');
    assert.equal(q.get('redirect_uri'), `${server.url}/realms/brokered/broker/upstream/endpoint`);
    assert.equal(q.get('scope'), 'openid profile email');
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.ok((q.get('state') ?? '').length >= 32);
    assert.ok((q.get('nonce') ?? '').length >= 16);
  });

  it('creates and links a local user on the first login, and reuses the link on the second', async () => {
    const first = await brokeredLogin(server, new Browser());
    assert.equal(first.response.status, 302, await first.response.clone().text());
    const location = first.response.headers.get('location')!;
    assert.ok(location.startsWith(APP_REDIRECT));
    const tokens = await redeem(server.url, location, first.verifier);
    assert.equal(typeof tokens.access_token, 'string');

    const users = await realms.brokeredAdmin.users.find({ username: 'bob', exact: true });
    assert.equal(users.length, 1);
    assert.equal(users[0].email, 'bob@example.com');
    assert.equal(users[0].emailVerified, true, 'trustEmail marks the address verified');
    assert.equal(users[0].firstName, 'Bob');
    const links = await realms.brokeredAdmin.users.listFederatedIdentities({ id: users[0].id! });
    assert.equal(links.length, 1);
    assert.equal(links[0].identityProvider, 'upstream');
    assert.equal(links[0].userName, 'bob');

    // A second login, in a new browser, finds the link: the same user, no second one.
    const second = await brokeredLogin(server, new Browser());
    assert.equal(second.response.status, 302);
    const again = await redeem(server.url, second.response.headers.get('location')!, second.verifier);
    const claims = JSON.parse(Buffer.from(again.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, users[0].id);
    assert.equal((await realms.brokeredAdmin.users.find({ search: 'bob' })).length, 1);
  });

  it('kc_idp_hint skips the login page and goes straight upstream', async () => {
    const browser = new Browser();
    const { url, verifier } = appAuthorization(server.url, { kc_idp_hint: 'upstream' });
    const first = await get(url, browser.down);
    assert.equal(first.status, 302);
    const upstreamUrl = first.headers.get('location')!;
    assert.ok(upstreamUrl.startsWith(`${server.url}/realms/upstream/protocol/openid-connect/auth?`));
    const back = await get(await upstreamLogin(browser, upstreamUrl), browser.down);
    assert.equal(back.status, 302);
    assert.equal(typeof (await redeem(server.url, back.headers.get('location')!, verifier)).access_token, 'string');
    // An unknown hint is ignored: the login page.
    assert.equal((await get(appAuthorization(server.url, { kc_idp_hint: 'nope' }).url, new Browser().down)).status, 200);
  });

  it('authenticates to the upstream with client_secret_basic and private_key_jwt, and forwards prompt and login_hint', async () => {
    const provider = (await realms.brokeredAdmin.identityProviders.findOne({ alias: 'upstream' }))!;
    const setProvider = (extra: Record<string, string>) => realms.brokeredAdmin.identityProviders.update({ alias: 'upstream' }, { ...provider, config: { ...providerConfig(server.url), guiOrder: '2', ...extra } });
    const upstreamClient = (await realms.upstreamAdmin.clients.find({ clientId: 'holdfast-broker' }))[0];
    try {
      await setProvider({ clientAuthMethod: 'client_secret_basic', prompt: 'login', loginHint: 'true' });
      const browser = new Browser();
      const html = await (await get(appAuthorization(server.url, { login_hint: 'bob' }).url, browser.down)).text();
      const target = new URL((await get(socialLink(html, 'upstream'), browser.down)).headers.get('location')!);
      assert.equal(target.searchParams.get('prompt'), 'login');
      assert.equal(target.searchParams.get('login_hint'), 'bob');
      const back = await get(await upstreamLogin(browser, target.href), browser.down);
      assert.equal(back.status, 302, 'client_secret_basic accepted');

      await realms.upstreamAdmin.clients.update({ id: upstreamClient.id! }, { ...upstreamClient, clientAuthenticatorType: 'client-jwt', attributes: { ...upstreamClient.attributes, 'use.jwks.url': 'true', 'jwks.url': `${server.url}/realms/brokered/protocol/openid-connect/certs` } });
      await setProvider({ clientAuthMethod: 'private_key_jwt' });
      const signed = await brokeredLogin(server, new Browser());
      assert.equal(signed.response.status, 302, 'private_key_jwt accepted');
    } finally {
      await realms.upstreamAdmin.clients.update({ id: upstreamClient.id! }, upstreamClient);
      await setProvider({});
    }
  });

  it('logs in through a keycloak-oidc provider as through an oidc one', async () => {
    await realms.upstreamAdmin.users.create({ username: 'kate', email: 'kate@example.com', firstName: 'Kate', lastName: 'Keycloak', emailVerified: true, enabled: true, credentials: [{ type: 'password', value: 'kate-pw', temporary: false }] });
    await realms.brokeredAdmin.identityProviders.create({ alias: 'corp-kc', providerId: 'keycloak-oidc', displayName: 'Corp Keycloak', trustEmail: true, config: providerConfig(server.url) });
    try {
      const browser = new Browser();
      const { url, verifier } = appAuthorization(server.url);
      const html = await (await get(url, browser.down)).text();
      const toUpstream = await get(socialLink(html, 'corp-kc'), browser.down);
      assert.equal(toUpstream.status, 302);
      assert.ok(toUpstream.headers.get('location')!.startsWith(`${server.url}/realms/upstream/protocol/openid-connect/auth?`));
      const back = await get(await upstreamLogin(browser, toUpstream.headers.get('location')!, 'kate', 'kate-pw'), browser.down);
      assert.equal(back.status, 302, await back.clone().text());
      const tokens = await redeem(server.url, back.headers.get('location')!, verifier);
      const [kate] = await realms.brokeredAdmin.users.find({ username: 'kate', exact: true });
      assert.equal(JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString()).sub, kate.id);
      assert.deepEqual((await realms.brokeredAdmin.users.listFederatedIdentities({ id: kate.id! })).map((l) => [l.identityProvider, l.userName]), [['corp-kc', 'kate']]);
    } finally {
      await realms.brokeredAdmin.identityProviders.del({ alias: 'corp-kc' });
    }
  });
});
