/**
 * Stored upstream tokens (`storeToken`) against a real upstream realm: a brokered login keeps the
 * upstream's token response on the link, sealed at rest, and `GET /broker/{alias}/token` hands it
 * to a caller whose token carries `broker`/`read-token` (granted by `addReadTokenRoleOnCreate`),
 * with Keycloak's answers when the role, the link, the token or the provider's `storeToken` is
 * missing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { Browser, brokeredLogin, providerConfig, redeem, setUpBrokerRealms, type BrokerRealms } from './broker-support.ts';

const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('stored upstream tokens', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  let provider: Awaited<ReturnType<BrokerRealms['brokeredAdmin']['identityProviders']['findOne']>>;
  const tokenUrl = (alias = 'upstream') => `${server.url}/realms/brokered/broker/${alias}/token`;
  const read = (bearer: string | undefined, alias?: string) => fetch(tokenUrl(alias), { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
  const setStoreToken = (storeToken: boolean) => realms.brokeredAdmin.identityProviders.update({ alias: 'upstream' }, { ...provider, storeToken, addReadTokenRoleOnCreate: true, config: { ...providerConfig(server.url), guiOrder: '2' } });

  before(async () => {
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    provider = await realms.brokeredAdmin.identityProviders.findOne({ alias: 'upstream' });
    await setStoreToken(true);
    await realms.brokeredAdmin.users.create({ username: 'carol', enabled: true, email: 'carol@example.com', firstName: 'C', lastName: 'C', credentials: [{ type: 'password', value: 'carol-pw', temporary: false }] });
    const app = (await realms.brokeredAdmin.clients.find({ clientId: 'app' }))[0];
    await realms.brokeredAdmin.clients.update({ id: app.id! }, { ...app, directAccessGrantsEnabled: true });
  });
  after(async () => {
    await server.close();
  });

  async function passwordToken(username: string, password: string): Promise<string> {
    const response = await fetch(`${server.url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'app', username, password }) });
    return (await response.json()).access_token;
  }

  it('keeps the token response sealed on the link and answers it to a read-token holder', async () => {
    const login = await brokeredLogin(server, new Browser());
    assert.equal(login.response.status, 302, await login.response.clone().text());
    const tokens = await redeem(server.url, login.response.headers.get('location')!, login.verifier);
    assert.deepEqual(decode(tokens.access_token).resource_access.broker.roles, ['read-token'], 'addReadTokenRoleOnCreate granted the role');

    const answer = await read(tokens.access_token);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    const upstream = await answer.json();
    assert.equal(decode(upstream.access_token).iss, `${server.url}/realms/upstream`);
    assert.equal(typeof upstream.refresh_token, 'string');

    const user = (await realms.brokeredAdmin.users.find({ username: 'bob', exact: true }))[0];
    const [link] = await server.holdfast.ctx.realms.repository.listFederatedIdentities(user.id!);
    assert.ok(link.token, 'a token is stored');
    assert.ok(!link.token.includes(upstream.access_token) && !link.token.includes('access_token'), 'stored sealed, not in plain text');

    // A later login replaces it with the new upstream answer.
    const again = await brokeredLogin(server, new Browser());
    const second = await (await read((await redeem(server.url, again.response.headers.get('location')!, again.verifier)).access_token)).json();
    assert.notEqual(second.access_token, upstream.access_token);
  });

  it('answers as Keycloak when the caller, the role, the provider, the link or the token is missing', async () => {
    const expect = async (response: Response, status: number, message?: string) => {
      assert.equal(response.status, status);
      if (message !== undefined) assert.deepEqual(await response.json(), { errorMessage: message });
    };
    await expect(await read(undefined), 400, 'Invalid token.');
    await expect(await read('not-a-token'), 400, 'Invalid token.');

    const carolId = (await realms.brokeredAdmin.users.find({ username: 'carol', exact: true }))[0].id!;
    await expect(await read(await passwordToken('carol', 'carol-pw')), 403, 'Client [app] not authorized to retrieve tokens from identity provider [upstream].');
    await expect(await read(await passwordToken('carol', 'carol-pw'), 'nope'), 403, 'Client [app] not authorized to retrieve tokens from identity provider [nope].');

    const broker = (await realms.brokeredAdmin.clients.find({ clientId: 'broker' }))[0];
    const role = await realms.brokeredAdmin.clients.findRole({ id: broker.id!, roleName: 'read-token' });
    await realms.brokeredAdmin.users.addClientRoleMappings({ id: carolId, clientUniqueId: broker.id!, roles: [{ id: role!.id!, name: 'read-token' }] });
    const carol = await passwordToken('carol', 'carol-pw');
    const unknown = await read(carol, 'nope');
    assert.equal(unknown.status, 502);
    assert.match(await unknown.text(), /Could not obtain token from identity provider\./);
    await expect(await read(carol), 400, `User [${carolId}] is not associated with identity provider [upstream].`);
    await realms.brokeredAdmin.users.addToFederatedIdentity({ id: carolId, federatedIdentityId: 'upstream', federatedIdentity: { identityProvider: 'upstream', userId: 'carol-upstream', userName: 'carol' } });
    await expect(await read(carol), 404, `No token stored for user [${carolId}] with associated identity provider [upstream].`);
    await setStoreToken(false);
    try {
      await expect(await read(carol), 400, 'Identity Provider [upstream] does not support this operation.');
    } finally {
      await setStoreToken(true);
    }
  });
});
