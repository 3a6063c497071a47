/**
 * Linked accounts in the account REST API, as a real Keycloak 26.7 answers them: the list of
 * enabled providers with `connected` and the upstream username, `linked=true/false` with search
 * and paging, unlinking (refused for the last way in of a user without a password, allowed once
 * they have one), and the legacy link URL's 404 that points to the application-initiated action.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { Browser, brokeredLogin, redeem, setUpBrokerRealms, type BrokerRealms } from './broker-support.ts';

describe('linked accounts in the account API', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  let token: string;
  const call = (method: string, path: string) => fetch(`${server.url}/realms/brokered/account${path}`, { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    const other = { clientId: 'x', authorizationUrl: 'https://idp.example/a', tokenUrl: 'https://idp.example/t' };
    await realms.brokeredAdmin.identityProviders.create({ alias: 'hidden', providerId: 'oidc', displayName: 'Hidden', hideOnLogin: true, config: other });
    await realms.brokeredAdmin.identityProviders.create({ alias: 'off', providerId: 'oidc', enabled: false, config: other });
    await realms.brokeredAdmin.identityProviders.create({ alias: 'gh', providerId: 'github', config: { clientId: 'x', clientSecret: 'y' } });
    const login = await brokeredLogin(server, new Browser());
    assert.equal(login.response.status, 302, await login.response.clone().text());
    token = (await redeem(server.url, login.response.headers.get('location')!, login.verifier)).access_token;
  });
  after(async () => {
    await server.close();
  });

  it('lists the enabled providers, the linked one with its upstream username', async () => {
    const all = await call('GET', '/linked-accounts');
    assert.equal(all.status, 200);
    assert.deepEqual(await all.json(), [
      { connected: false, providerAlias: 'gh', providerName: 'gh', displayName: 'GitHub', social: true },
      { connected: false, providerAlias: 'hidden', providerName: 'hidden', displayName: 'Hidden', social: false },
      { connected: true, providerAlias: 'upstream', providerName: 'upstream', displayName: 'Upstream', linkedUsername: 'bob', social: false },
    ]);
    assert.deepEqual((await (await call('GET', '/linked-accounts?linked=true')).json()).map((a: any) => a.providerAlias), ['upstream']);
    assert.deepEqual((await (await call('GET', '/linked-accounts?linked=false')).json()).map((a: any) => a.providerAlias), ['gh', 'hidden']);
    assert.deepEqual((await (await call('GET', '/linked-accounts?linked=false&search=h')).json()).map((a: any) => a.providerAlias), ['hidden']);
    assert.deepEqual((await (await call('GET', '/linked-accounts?linked=false&first=1&max=1')).json()).map((a: any) => a.providerAlias), ['hidden']);
    assert.equal((await call('GET', '/linked-accounts?linked=maybe')).status, 400);
    assert.equal((await call('GET', '/linked-accounts?linked=false&max=-1')).status, 400);
  });

  it('answers the legacy link URL with the pointer to kc_action=idp_link', async () => {
    const legacy = await call('GET', '/linked-accounts/gh?redirectUri=http://app.example/x');
    assert.equal(legacy.status, 404);
    assert.deepEqual(await legacy.json(), { errorMessage: 'Legacy client-initiated account linking is disabled. Use AIA with kc_action=idp_link instead.' });
  });

  it('unlinks, but not the last way in of a user without a password', async () => {
    const expect400 = async (response: Response, errorMessage: string) => {
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), { errorMessage });
    };
    await expect400(await call('DELETE', '/linked-accounts/nope'), 'identityProviderNotFoundMessage');
    await expect400(await call('DELETE', '/linked-accounts/gh'), 'This identity is not active anymore.');
    await expect400(await call('DELETE', '/linked-accounts/upstream'), 'You can not remove last federated identity as you do not have a password.');

    const bob = (await realms.brokeredAdmin.users.find({ username: 'bob', exact: true }))[0].id!;
    await realms.brokeredAdmin.users.resetPassword({ id: bob, credential: { type: 'password', value: 'local-pw', temporary: false } });
    const removed = await call('DELETE', '/linked-accounts/upstream');
    assert.equal(removed.status, 204);
    assert.deepEqual(await realms.brokeredAdmin.users.listFederatedIdentities({ id: bob }), []);
    assert.deepEqual(await (await call('GET', '/linked-accounts?linked=true')).json(), []);
    await server.holdfast.ctx.events.writer.flush();
  });
});
