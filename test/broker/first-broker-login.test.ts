/**
 * Keycloak's first broker login against a real upstream realm: an existing local account with the
 * upstream's email is linked only after its owner signs in with its password (a wrong one links
 * nothing); a profile without the required email asks for it on the review page; the session
 * records the broker, which a User Session Note mapper puts in tokens as `identity_provider`;
 * `syncMode` FORCE updates the profile on a later login.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, postForm } from '../support/browser.ts';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { APP_REDIRECT, Browser, anyFormAction, appAuthorization, providerConfig, redeem, setUpBrokerRealms, socialLink, upstreamLogin, type BrokerRealms } from './broker-support.ts';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('first broker login', () => {
  let server: AdminServer;
  let realms: BrokerRealms;

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    await realms.brokeredAdmin.realms.updateConfigEvents({ realm: 'brokered' }, { eventsEnabled: true });
    await realms.upstreamAdmin.users.create({ username: 'carol', firstName: 'Carol', lastName: 'Jones', enabled: true, credentials: [{ type: 'password', value: 'carol-pw', temporary: false }] });
    await realms.upstreamAdmin.users.create({ username: 'dave', email: 'dave@example.com', firstName: 'Dave', lastName: 'Old', emailVerified: true, enabled: true, credentials: [{ type: 'password', value: 'dave-pw', temporary: false }] });
    await realms.brokeredAdmin.users.create({ username: 'bobby', email: 'bob@example.com', firstName: 'Bobby', lastName: 'Local', enabled: true, credentials: [{ type: 'password', value: 'bobby-pw', temporary: false }] });
    const app = (await realms.brokeredAdmin.clients.find({ clientId: 'app' }))[0];
    await realms.brokeredAdmin.clients.addProtocolMapper({ id: app.id! }, { name: 'identity provider', protocol: 'openid-connect', protocolMapper: 'oidc-usersessionmodel-note-mapper', config: { 'user.session.note': 'identity_provider', 'claim.name': 'identity_provider', 'jsonType.label': 'String', 'access.token.claim': 'true', 'id.token.claim': 'true', 'userinfo.token.claim': 'true' } });
  });
  after(async () => {
    await server.close();
  });

  /** Through "Sign in with Upstream" as `username` at the upstream; answers the broker's page or redirect. */
  async function throughUpstream(browser: Browser, username: string, password: string): Promise<{ response: Response; verifier: string }> {
    const { url, verifier } = appAuthorization(server.url);
    const html = await (await get(url, browser.down)).text();
    const toUpstream = await get(socialLink(html, 'upstream'), browser.down);
    const callback = await upstreamLogin(browser, toUpstream.headers.get('location')!, username, password);
    return { response: await get(callback, browser.down), verifier };
  }

  it('links an existing account with the same email only after its password is given', async () => {
    const browser = new Browser();
    const { response, verifier } = await throughUpstream(browser, 'bob', 'bob-pw');
    assert.equal(response.status, 200);
    const confirm = await response.text();
    assert.match(confirm, /Account already exists/);
    assert.match(confirm, /User with email bob@example.com already exists/);
    const local = (await realms.brokeredAdmin.users.find({ username: 'bobby', exact: true }))[0];
    assert.deepEqual(await realms.brokeredAdmin.users.listFederatedIdentities({ id: local.id! }), []);

    const reauth = await postForm(anyFormAction(confirm), { submitAction: 'linkAccount' }, browser.down);
    assert.equal(reauth.status, 200);
    const reauthPage = await reauth.text();
    assert.match(reauthPage, /Authenticate to link your account with Upstream/);
    assert.match(reauthPage, /id="username"[^>]*value="bobby"[^>]*readonly/);

    const wrong = await postForm(anyFormAction(reauthPage), { username: 'bobby', password: 'nope' }, browser.down);
    assert.equal(wrong.status, 200);
    const wrongPage = await wrong.text();
    assert.match(wrongPage, /Invalid username or password/);
    assert.deepEqual(await realms.brokeredAdmin.users.listFederatedIdentities({ id: local.id! }), [], 'a wrong password links nothing');

    const done = await postForm(anyFormAction(wrongPage), { username: 'bobby', password: 'bobby-pw' }, browser.down);
    assert.equal(done.status, 302);
    assert.ok(done.headers.get('location')!.startsWith(APP_REDIRECT));
    const tokens = await redeem(server.url, done.headers.get('location')!, verifier);
    assert.equal(claimsOf(tokens.access_token).sub, local.id);
    const links = await realms.brokeredAdmin.users.listFederatedIdentities({ id: local.id! });
    assert.deepEqual(links.map((l) => [l.identityProvider, l.userName]), [['upstream', 'bob']]);
    assert.equal((await realms.brokeredAdmin.users.find({ email: 'bob@example.com' })).length, 1, 'no second user');
  });

  it('asks for a missing required email on the review-profile page, then creates the user', async () => {
    const browser = new Browser();
    const { response, verifier } = await throughUpstream(browser, 'carol', 'carol-pw');
    assert.equal(response.status, 200);
    const review = await response.text();
    assert.match(review, /Please specify email/);
    assert.equal((await realms.brokeredAdmin.users.find({ username: 'carol', exact: true })).length, 0, 'nothing created before the review');
    const done = await postForm(anyFormAction(review), { username: 'carol', email: 'carol@example.com', firstName: 'Carol', lastName: 'Jones' }, browser.down);
    assert.equal(done.status, 302, await done.clone().text());
    await redeem(server.url, done.headers.get('location')!, verifier);
    const [carol] = await realms.brokeredAdmin.users.find({ username: 'carol', exact: true });
    assert.equal(carol.email, 'carol@example.com');
    assert.equal((await realms.brokeredAdmin.users.listFederatedIdentities({ id: carol.id! }))[0].identityProvider, 'upstream');
  });

  it('records the broker on the session: notes, the identity_provider claim, userinfo and refresh', async () => {
    const { response, verifier } = await throughUpstream(new Browser(), 'bob', 'bob-pw');
    assert.equal(response.status, 302);
    const tokens = await redeem(server.url, response.headers.get('location')!, verifier);
    assert.equal(claimsOf(tokens.access_token).identity_provider, 'upstream');
    assert.equal(claimsOf(tokens.id_token).identity_provider, 'upstream');
    const realm = (await server.holdfast.ctx.realms.getRealm('brokered'))!;
    const session = await server.holdfast.ctx.store.getUserSession(claimsOf(tokens.access_token).sid, false);
    assert.equal(session?.notes?.identity_provider, 'upstream');
    assert.equal(session?.notes?.identity_provider_identity, 'bob');
    assert.match(session?.notes?.broker_user_id ?? '', /^upstream\./);
    assert.match(session?.notes?.broker_session_id ?? '', /^upstream\./);
    assert.equal(session?.realmId, realm.realm.id);
    const refreshed = await (await fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'app' }) })).json();
    assert.equal(claimsOf(refreshed.access_token).identity_provider, 'upstream');
    const info = await (await fetch(`${server.url}/realms/brokered/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${refreshed.access_token}` } })).json();
    assert.equal(info.identity_provider, 'upstream');
    await server.holdfast.ctx.events.writer.flush();
    const [login] = await realms.brokeredAdmin.realms.findEvents({ realm: 'brokered', type: ['LOGIN' as never], max: 1 });
    assert.equal(login.details?.identity_provider, 'upstream');
    assert.equal(login.details?.identity_provider_identity, 'bob');
  });

  it('syncMode FORCE takes the upstream profile on a later login; IMPORT leaves it', async () => {
    const first = await throughUpstream(new Browser(), 'dave', 'dave-pw');
    assert.equal(first.response.status, 302);
    const [dave] = await realms.upstreamAdmin.users.find({ username: 'dave', exact: true });
    await realms.upstreamAdmin.users.update({ id: dave.id! }, { firstName: 'Dave', lastName: 'New', email: 'dave@example.com' });
    const login = async () => assert.equal((await throughUpstream(new Browser(), 'dave', 'dave-pw')).response.status, 302);
    await login();
    assert.equal((await realms.brokeredAdmin.users.find({ username: 'dave', exact: true }))[0].lastName, 'Old', 'IMPORT keeps the local profile');
    const provider = (await realms.brokeredAdmin.identityProviders.findOne({ alias: 'upstream' }))!;
    await realms.brokeredAdmin.identityProviders.update({ alias: 'upstream' }, { ...provider, config: { ...providerConfig(server.url), guiOrder: '2', syncMode: 'FORCE' } });
    await login();
    assert.equal((await realms.brokeredAdmin.users.find({ username: 'dave', exact: true }))[0].lastName, 'New');
  });
});
