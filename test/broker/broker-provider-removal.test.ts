/**
 * Deleting an identity provider through the admin API, as Keycloak treats it: the users who
 * logged in through it lose their links, and their sessions from it end (refresh and userinfo
 * refused, as a real Keycloak 26.7 answers them); a session the same user opened with a password
 * stays.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { Browser, brokeredLogin, redeem, setUpBrokerRealms, type BrokerRealms } from './broker-support.ts';

describe('deleting an identity provider', () => {
  let server: AdminServer;
  let realms: BrokerRealms;

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    const app = (await realms.brokeredAdmin.clients.find({ clientId: 'app' }))[0];
    await realms.brokeredAdmin.clients.update({ id: app.id! }, { ...app, directAccessGrantsEnabled: true });
  });
  after(async () => {
    await server.close();
  });

  it('ends the sessions logged in through it and removes the links', async () => {
    const login = await brokeredLogin(server, new Browser());
    assert.equal(login.response.status, 302, await login.response.clone().text());
    const brokered = await redeem(server.url, login.response.headers.get('location')!, login.verifier);
    const bob = (await realms.brokeredAdmin.users.find({ username: 'bob', exact: true }))[0].id!;
    await realms.brokeredAdmin.users.resetPassword({ id: bob, credential: { type: 'password', value: 'local-pw', temporary: false } });
    const local = await (await fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'app', username: 'bob', password: 'local-pw' }) })).json();
    assert.equal((await realms.brokeredAdmin.users.listSessions({ id: bob })).length, 2);

    await realms.brokeredAdmin.identityProviders.del({ alias: 'upstream' });

    const sessions = await realms.brokeredAdmin.users.listSessions({ id: bob });
    assert.deepEqual(sessions.map((s) => s.id), [JSON.parse(Buffer.from(local.access_token.split('.')[1], 'base64url').toString()).sid], 'only the password session is left');
    assert.deepEqual(await realms.brokeredAdmin.users.listFederatedIdentities({ id: bob }), []);
    const refresh = await fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'app', refresh_token: brokered.refresh_token }) });
    assert.equal(refresh.status, 400);
    assert.equal((await refresh.json()).error, 'invalid_grant');
    const userinfo = await fetch(`${server.url}/realms/brokered/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${brokered.access_token}` } });
    assert.equal(userinfo.status, 401);
    const stillLocal = await fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'app', refresh_token: local.refresh_token }) });
    assert.equal(stillLocal.status, 200);
  });
});
