/**
 * Identity providers through @keycloak/keycloak-admin-client 26 against a listening holdfast
 * (issue #20.1): create, find, update, delete, mappers and mapper types, `importFromUrl` from a
 * real discovery document (holdfast's own master realm), users' federated identities; the client
 * secret is sealed in the database and masked in every answer; bad input gets Keycloak's errors
 * (and a setting holdfast would not act on that lets more users in is refused by name),
 * and a viewer may read but not write.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from '../admin/admin-support.ts';

const REALM = 'brokered';
const FORBIDDEN = { status: 403, body: { error: 'HTTP 403 Forbidden' } };

describe('admin API: identity providers', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let viewerToken: string;
  const request = (method: string, path: string, body?: unknown, as = token) =>
    adminRequest(server.url, as, method, `/${REALM}${path}`, body).then((r) => ({ status: r.status, body: r.body }));
  const upstream = { clientId: 'holdfast', clientSecret: 'upstream-secret', authorizationUrl: 'https://idp.example/auth', tokenUrl: 'https://idp.example/token', syncMode: 'IMPORT' };

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
    await userWithManagementRoles(server.url, REALM, 'viewer', ['view-identity-providers', 'view-users']);
    viewerToken = (await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'admin-cli', username: 'viewer', password: 'viewer-pw' })).body.access_token;
  });
  after(async () => {
    await server.close();
  });

  it('creates, finds, updates and deletes a provider, keeping the secret sealed and masked', async () => {
    const created = await kc.identityProviders.create({ alias: 'corp', providerId: 'oidc', displayName: 'Corporate', trustEmail: true, config: upstream });
    assert.equal(created.id, 'corp');
    const found = await kc.identityProviders.findOne({ alias: 'corp' });
    assert.equal(found?.displayName, 'Corporate');
    assert.equal(found?.enabled, true);
    assert.equal(found?.trustEmail, true);
    assert.equal(typeof found?.internalId, 'string');
    assert.deepEqual(found?.config, { ...upstream, clientSecret: '**********' });
    const row = await server.holdfast.ctx.realms.repository.listIdentityProviders((await server.holdfast.ctx.realms.getRealm(REALM))!.realm.id);
    assert.ok(row[0].clientSecretSealed && !row[0].clientSecretSealed.includes('upstream-secret'));
    assert.ok(!JSON.stringify(row[0]).includes('upstream-secret'));

    // The mask sent back keeps the stored secret; a new value replaces it.
    await kc.identityProviders.update({ alias: 'corp' }, { ...found!, displayName: 'Corp SSO', config: { ...found!.config, clientId: 'holdfast-2' } });
    const updated = await kc.identityProviders.findOne({ alias: 'corp' });
    assert.equal(updated?.displayName, 'Corp SSO');
    assert.equal(updated?.config?.clientId, 'holdfast-2');
    const after = await server.holdfast.ctx.realms.repository.listIdentityProviders(row[0].realmId);
    assert.equal(after[0].clientSecretSealed, row[0].clientSecretSealed);

    assert.deepEqual((await kc.identityProviders.find()).map((p) => p.alias), ['corp']);
    assert.deepEqual(await kc.identityProviders.find({ briefRepresentation: true } as never), [{ alias: 'corp', displayName: 'Corp SSO', internalId: updated!.internalId, providerId: 'oidc', enabled: true, trustEmail: true, config: {} }]);
    assert.deepEqual((await kc.identityProviders.find({ search: 'CO' } as never)).length, 1);
    assert.deepEqual((await kc.identityProviders.find({ search: 'x' } as never)).length, 0);

    await kc.identityProviders.create({ alias: 'gone', providerId: 'google', config: { clientId: 'g', clientSecret: 'g-secret' } });
    await kc.identityProviders.del({ alias: 'gone' });
    assert.equal(await kc.identityProviders.findOne({ alias: 'gone' }), null);
  });

  it('answers bad input with Keycloak-shaped errors and nothing written', async () => {
    assert.equal((await request('POST', '/identity-provider/instances', { alias: 'corp', providerId: 'oidc' })).status, 409);
    assert.deepEqual((await request('POST', '/identity-provider/instances', { alias: 'x', providerId: 'saml-ish' })).body.errorMessage, 'Invalid identity provider id [saml-ish]');
    assert.equal((await request('POST', '/identity-provider/instances', { providerId: 'oidc' })).status, 400);
    assert.equal((await request('POST', '/identity-provider/instances', { alias: 'a/b', providerId: 'oidc' })).status, 400);
    assert.deepEqual((await request('POST', '/identity-provider/instances', { alias: 'plain', providerId: 'oidc', config: { tokenUrl: 'http://idp.example/token' } })).body.errorMessage, 'The url [token_url] requires secure connections');
    assert.equal((await request('POST', '/identity-provider/instances', { alias: 'bad', providerId: 'oidc', config: { syncMode: 'SOMETIMES' } })).status, 400);
    assert.equal((await request('POST', '/identity-provider/instances', { alias: 'bad', providerId: 'oidc', config: 'no' })).status, 400);
    assert.deepEqual(await request('GET', '/identity-provider/instances/nope'), { status: 404, body: { error: 'HTTP 404 Not Found' } });
    assert.deepEqual(await request('GET', '/identity-provider/providers/nope'), { status: 400, body: { error: 'HTTP 400 Bad Request' } });
    assert.equal((await request('PUT', '/identity-provider/instances/corp', { providerId: 'github' })).status, 400);
    // Settings holdfast would not act on, and that would let more users in, are refused by name.
    for (const [extra, text] of [
      [{ postBrokerLoginFlowAlias: 'otp after broker' }, /post login flow 'otp after broker' is not run/],
      [{ firstBrokerLoginFlowAlias: 'link only' }, /built-in first broker login, not 'link only'/],
      [{ config: { filteredByClaim: 'true', claimFilterName: 'groups' } }, /essential claim filter \(groups\)/],
      [{ config: { clientAuthMethod: 'client_secret_jwt' } }, /client authentication 'client_secret_jwt' is not supported/],
      [{ config: { validateSignature: 'true', useJwksUrl: 'false', publicKeySignatureVerifier: 'MIIB' } }, /JWKS URL only/],
    ] as const) {
      const refused = await request('POST', '/identity-provider/instances', { alias: 'unhonoured', providerId: 'oidc', ...extra });
      assert.equal(refused.status, 400, JSON.stringify(extra));
      assert.match(refused.body.errorMessage, text);
    }
    // What Keycloak's console sends for a new provider passes.
    const defaults = { alias: 'defaults', providerId: 'oidc', firstBrokerLoginFlowAlias: 'first broker login', postBrokerLoginFlowAlias: '', config: { filteredByClaim: 'false', clientAuthMethod: 'client_secret_post', validateSignature: 'false', useJwksUrl: 'true' } };
    assert.equal((await request('POST', '/identity-provider/instances', defaults)).status, 201);
    assert.equal((await request('DELETE', '/identity-provider/instances/defaults')).status, 204);
    assert.deepEqual((await kc.identityProviders.find()).map((p) => p.alias), ['corp']);
  });

  it('lets a viewer read but not write', async () => {
    assert.equal((await request('GET', '/identity-provider/instances', undefined, viewerToken)).status, 200);
    assert.deepEqual(await request('POST', '/identity-provider/instances', { alias: 'v', providerId: 'oidc' }, viewerToken), FORBIDDEN);
    assert.deepEqual(await request('DELETE', '/identity-provider/instances/corp', undefined, viewerToken), FORBIDDEN);
  });

  it('describes provider kinds and mapper types', async () => {
    assert.deepEqual(await kc.identityProviders.findFactory({ providerId: 'keycloak-oidc' }), { name: 'Keycloak OpenID Connect', id: 'keycloak-oidc', configProperties: [], helpText: '', configMetadata: [] });
    const types = await kc.identityProviders.findMapperTypes({ alias: 'corp' });
    assert.ok(types['oidc-user-attribute-idp-mapper']);
    assert.deepEqual(types['oidc-hardcoded-role-idp-mapper'].properties?.map((p) => p.name), ['role']);
    assert.equal(types['oidc-username-idp-mapper'].properties?.find((p) => p.name === 'template')?.defaultValue, '${ALIAS}.${CLAIM.preferred_username}');
  });

  it('creates, updates and deletes mappers', async () => {
    const { id } = await kc.identityProviders.createMapper({ alias: 'corp', identityProviderMapper: { name: 'email', identityProviderAlias: 'corp', identityProviderMapper: 'oidc-user-attribute-idp-mapper', config: { claim: 'email', 'user.attribute': 'email', syncMode: 'INHERIT' } } });
    const mapper = await kc.identityProviders.findOneMapper({ alias: 'corp', id });
    assert.deepEqual(mapper, { id, name: 'email', identityProviderAlias: 'corp', identityProviderMapper: 'oidc-user-attribute-idp-mapper', config: { claim: 'email', 'user.attribute': 'email', syncMode: 'INHERIT' } });
    await kc.identityProviders.updateMapper({ alias: 'corp', id }, { ...mapper!, config: { ...mapper!.config, syncMode: 'FORCE' } });
    assert.equal((await kc.identityProviders.findMappers({ alias: 'corp' }))[0].config.syncMode, 'FORCE');
    assert.equal((await request('POST', '/identity-provider/instances/corp/mappers', { name: 'm', identityProviderMapper: 'nope' })).status, 400);
    assert.equal((await request('POST', '/identity-provider/instances/corp/mappers', { name: 'm', identityProviderMapper: 'oidc-hardcoded-role-idp-mapper', config: { syncMode: 'NEVER' } })).status, 400);
    assert.deepEqual(await request('GET', '/identity-provider/instances/corp/mappers/nope'), { status: 404, body: { error: 'Model not found' } });
    await kc.identityProviders.delMapper({ alias: 'corp', id });
    assert.deepEqual(await kc.identityProviders.findMappers({ alias: 'corp' }), []);
  });

  it('imports the config of a discovery document, and refuses what is not one', async () => {
    const config = await kc.identityProviders.importFromUrl({ fromUrl: `${server.url}/realms/master/.well-known/openid-configuration`, providerId: 'oidc' });
    assert.equal(config.issuer, `${server.url}/realms/master`);
    assert.equal(config.authorizationUrl, `${server.url}/realms/master/protocol/openid-connect/auth`);
    assert.equal(config.tokenUrl, `${server.url}/realms/master/protocol/openid-connect/token`);
    assert.equal(config.jwksUrl, `${server.url}/realms/master/protocol/openid-connect/certs`);
    assert.equal(config.useJwksUrl, 'true');
    assert.equal(config.validateSignature, 'true');
    const bad = await request('POST', '/identity-provider/import-config', { fromUrl: `${server.url}/realms/master/protocol/openid-connect/certs`, providerId: 'oidc' });
    assert.equal(bad.status, 400);
    assert.equal((await request('POST', '/identity-provider/import-config', { fromUrl: 'http://127.0.0.1:1/nothing', providerId: 'oidc' })).status, 400);
  });

  it('adds, lists and removes the federated identities of a user', async () => {
    const { id } = await kc.users.create({ username: 'linked', enabled: true });
    await kc.users.addToFederatedIdentity({ id, federatedIdentityId: 'corp', federatedIdentity: { identityProvider: 'corp', userId: 'up-1', userName: 'linked-up' } });
    assert.deepEqual(await kc.users.listFederatedIdentities({ id }), [{ identityProvider: 'corp', userId: 'up-1', userName: 'linked-up' }]);
    assert.deepEqual((await kc.users.find({ idpAlias: 'corp' } as never)).map((u) => u.username), ['linked']);
    assert.deepEqual((await kc.users.find({ idpAlias: 'corp', idpUserId: 'up-1' } as never)).map((u) => u.username), ['linked']);
    assert.deepEqual(await kc.users.find({ idpAlias: 'corp', idpUserId: 'up-9' } as never), []);
    assert.equal(await kc.users.count({ idpAlias: 'corp' } as never), 1);
    assert.deepEqual(await request('POST', `/users/${id}/federated-identity/corp`, { userId: 'up-2', userName: 'x' }), { status: 409, body: { errorMessage: 'User is already linked with provider' } });
    assert.equal((await request('POST', `/users/${id}/federated-identity/nope`, { userId: 'up-2' })).status, 404);
    const other = await kc.users.create({ username: 'other', enabled: true });
    assert.equal((await request('POST', `/users/${other.id}/federated-identity/corp`, { userId: 'up-1' })).status, 409);
    assert.deepEqual(await request('GET', `/users/${id}/federated-identity`, undefined, viewerToken), { status: 200, body: [{ identityProvider: 'corp', userId: 'up-1', userName: 'linked-up' }] });
    assert.deepEqual(await request('DELETE', `/users/${id}/federated-identity/corp`, undefined, viewerToken), FORBIDDEN);
    await kc.users.delFromFederatedIdentity({ id, federatedIdentityId: 'corp' });
    assert.deepEqual(await kc.users.listFederatedIdentities({ id }), []);
    assert.equal((await request('DELETE', `/users/${id}/federated-identity/corp`)).status, 404);
  });

  it('drops a provider\'s mappers and links with it', async () => {
    await kc.identityProviders.create({ alias: 'temp', providerId: 'oidc', config: {} });
    await kc.identityProviders.createMapper({ alias: 'temp', identityProviderMapper: { name: 'r', identityProviderAlias: 'temp', identityProviderMapper: 'oidc-hardcoded-role-idp-mapper', config: { role: 'offline_access' } } });
    const { id } = await kc.users.create({ username: 'temp-user', enabled: true });
    await kc.users.addToFederatedIdentity({ id, federatedIdentityId: 'temp', federatedIdentity: { identityProvider: 'temp', userId: 't-1', userName: 't' } });
    await kc.identityProviders.del({ alias: 'temp' });
    const realmId = (await server.holdfast.ctx.realms.getRealm(REALM))!.realm.id;
    assert.deepEqual(await server.holdfast.ctx.realms.repository.listIdentityProviderMappers(realmId, 'temp'), []);
    assert.deepEqual(await server.holdfast.ctx.realms.repository.listFederatedIdentities(id), []);
  });
});
