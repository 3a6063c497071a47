/**
 * Account linking from an application (kc_action=idp_link:{alias}, Keycloak 26's AIA): a user
 * signed in with a password is sent upstream, comes back linked, and later logs in through the
 * upstream as themselves; an unknown provider, a user without the account roles, and an upstream
 * account linked to someone else end the action with kc_action_status=error and link nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { get, loginThroughForm } from '../support/browser.ts';
import { APP_REDIRECT, Browser, appAuthorization, brokeredLogin, redeem, setUpBrokerRealms, upstreamLogin, type BrokerRealms } from './broker-support.ts';

describe('kc_action=idp_link', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  const userId = async (username: string) => (await realms.brokeredAdmin.users.find({ username, exact: true }))[0].id!;
  const localUser = (username: string) => realms.brokeredAdmin.users.create({ username, email: `${username}@example.org`, firstName: username, lastName: 'Local', enabled: true, emailVerified: true, credentials: [{ type: 'password', value: `${username}-pw`, temporary: false }] });

  /** Signs `username` in with their password in `browser`, then asks the application's action. */
  async function askLink(browser: Browser, username: string, alias: string): Promise<Response> {
    const signedIn = await loginThroughForm(appAuthorization(server.url).url, username, `${username}-pw`, browser.down);
    assert.ok(signedIn.searchParams.get('code'), `${username} signed in`);
    return get(appAuthorization(server.url, { kc_action: `idp_link:${alias}` }).url, browser.down);
  }

  const actionStatus = (response: Response) => {
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, APP_REDIRECT);
    return location.searchParams.get('kc_action_status');
  };

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    await realms.brokeredAdmin.realms.updateConfigEvents({ realm: 'brokered' }, { eventsEnabled: true });
    await localUser('carol');
    await localUser('dave');
  });
  after(async () => {
    await server.close();
  });

  it('links the upstream account to the signed-in user, who then logs in through it', async () => {
    const browser = new Browser();
    const toUpstream = await askLink(browser, 'carol', 'upstream');
    assert.equal(toUpstream.status, 302);
    assert.ok(toUpstream.headers.get('location')!.startsWith(`${server.url}/realms/upstream/protocol/openid-connect/auth?`));
    const callback = await upstreamLogin(browser, toUpstream.headers.get('location')!);
    const back = await get(callback, browser.down);
    assert.equal(actionStatus(back), 'success');
    const carol = await userId('carol');
    assert.deepEqual((await realms.brokeredAdmin.users.listFederatedIdentities({ id: carol })).map((l) => [l.identityProvider, l.userName]), [['upstream', 'bob']]);
    // Nobody was created for the upstream account: bob exists only upstream.
    assert.deepEqual(await realms.brokeredAdmin.users.find({ username: 'bob', exact: true }), []);

    const login = await brokeredLogin(server, new Browser());
    assert.equal(login.response.status, 302);
    const tokens = await redeem(server.url, login.response.headers.get('location')!, login.verifier);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, carol);

    await server.holdfast.ctx.events.writer.flush();
    const events = await realms.brokeredAdmin.realms.findEvents({ realm: 'brokered', type: ['FEDERATED_IDENTITY_LINK'] as any });
    assert.ok(events.some((e) => e.userId === carol && e.details?.identity_provider === 'upstream'), JSON.stringify(events));
  });

  it('ends in kc_action_status=error for an upstream account linked to someone else, linking nothing', async () => {
    const browser = new Browser();
    const toUpstream = await askLink(browser, 'dave', 'upstream');
    const back = await get(await upstreamLogin(browser, toUpstream.headers.get('location')!), browser.down);
    assert.equal(actionStatus(back), 'error');
    const dave = await userId('dave');
    assert.deepEqual(await realms.brokeredAdmin.users.listFederatedIdentities({ id: dave }), []);
    await server.holdfast.ctx.events.writer.flush();
    const errors = await realms.brokeredAdmin.realms.findEvents({ realm: 'brokered', type: ['FEDERATED_IDENTITY_LINK_ERROR'] as any });
    assert.deepEqual(errors.filter((e) => e.userId === dave).map((e) => e.error), ['federated_identity_account_exists']);
  });

  it('ends in kc_action_status=error for a provider the realm does not have, without going upstream', async () => {
    assert.equal(actionStatus(await askLink(new Browser(), 'dave', 'nope')), 'error');
  });

  it('ends in kc_action_status=error for a user without manage-account or manage-account-links', async () => {
    await localUser('erin');
    const erin = await userId('erin');
    const defaults = await realms.brokeredAdmin.roles.findOneByName({ name: 'default-roles-brokered' });
    await realms.brokeredAdmin.users.delRealmRoleMappings({ id: erin, roles: [{ id: defaults!.id!, name: defaults!.name! }] });
    assert.equal(actionStatus(await askLink(new Browser(), 'erin', 'upstream')), 'error');
    assert.deepEqual(await realms.brokeredAdmin.users.listFederatedIdentities({ id: erin }), []);
  });
});
