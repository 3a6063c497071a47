/**
 * Realm files with identity brokering (issue #20.7): a Keycloak-shaped export with an `oidc`
 * provider, a `google` provider, mappers and users' `federatedIdentities` imports without loss
 * (the client secrets sealed in the database), exports back the same, and re-imports; a SAML
 * provider or an unknown mapper type is refused by name; a mapper or a link naming a provider
 * the file does not have refuses the file with its JSON path and writes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp, type Holdfast } from '../../src/app.ts';
import { testConfig } from '../../src/config/index.ts';
import { exportRealm, importRealm, LossyImport, ShapeError } from '../../src/admin/index.ts';

const corp = {
  alias: 'corp',
  displayName: 'Corporate SSO',
  providerId: 'oidc',
  enabled: true,
  trustEmail: true,
  storeToken: false,
  firstBrokerLoginFlowAlias: 'first broker login',
  config: {
    clientId: 'holdfast',
    clientSecret: 'corp-secret',
    clientAuthMethod: 'client_secret_post',
    authorizationUrl: 'https://idp.corp.example/auth',
    tokenUrl: 'https://idp.corp.example/token',
    jwksUrl: 'https://idp.corp.example/jwks',
    issuer: 'https://idp.corp.example',
    validateSignature: 'true',
    useJwksUrl: 'true',
    pkceEnabled: 'true',
    pkceMethod: 'S256',
    syncMode: 'FORCE',
    guiOrder: '1',
  },
};
const google = { alias: 'google', providerId: 'google', enabled: true, config: { clientId: 'g-client', clientSecret: 'g-secret', syncMode: 'IMPORT', hostedDomain: 'corp.example' } };
const mappers = [
  { id: '0a7c5f7e-0000-4000-8000-000000000001', name: 'email', identityProviderAlias: 'corp', identityProviderMapper: 'oidc-user-attribute-idp-mapper', config: { claim: 'email', 'user.attribute': 'email', syncMode: 'INHERIT' } },
  { id: '0a7c5f7e-0000-4000-8000-000000000002', name: 'staff', identityProviderAlias: 'corp', identityProviderMapper: 'oidc-hardcoded-role-idp-mapper', config: { role: 'offline_access', syncMode: 'INHERIT' } },
  { id: '0a7c5f7e-0000-4000-8000-000000000003', name: 'dept', identityProviderAlias: 'google', identityProviderMapper: 'hardcoded-attribute-idp-mapper', config: { attribute: 'department', 'attribute.value': 'sales', syncMode: 'IMPORT' } },
];
const file = (realm: string, extra: Record<string, unknown> = {}) => ({
  realm,
  enabled: true,
  identityProviders: [corp, google],
  identityProviderMappers: mappers,
  users: [
    { username: 'alice', enabled: true, email: 'alice@corp.example', federatedIdentities: [{ identityProvider: 'corp', userId: 'corp-sub-1', userName: 'alice' }, { identityProvider: 'google', userId: '1234567', userName: 'alice@corp.example' }] },
    { username: 'bob', enabled: true },
  ],
  ...extra,
});

describe('realm files with identity providers', () => {
  let holdfast: Holdfast;
  const repository = () => holdfast.ctx.realms.repository;
  const load = (input: unknown, allowLossy = false) => importRealm(repository(), input, { nowMs: Date.now(), allowLossy });

  before(async () => {
    holdfast = await buildApp({ config: testConfig() });
  });
  after(async () => {
    await holdfast.close();
  });

  it('imports providers, mappers and links without loss, sealing the secrets', async () => {
    const { realm } = await load(file('brokered'));
    const providers = await repository().listIdentityProviders(realm.id);
    assert.deepEqual(providers.map((p) => p.alias), ['corp', 'google']);
    for (const p of providers) assert.ok(p.clientSecretSealed && !JSON.stringify(p).includes('-secret'));
    const loaded = (await holdfast.ctx.realms.getRealm('brokered'))!;
    assert.deepEqual([...loaded.identityProviders.keys()], ['corp', 'google']);
    assert.equal(loaded.identityProviderMappers.length, 3);
    const alice = (await repository().findUserByUsername(realm.id, 'alice'))!;
    assert.equal((await repository().findFederatedIdentity(realm.id, 'corp', 'corp-sub-1'))?.userId, alice.id);
  });

  it('exports them back as they came, and the export imports again', async () => {
    const exported = (await exportRealm(repository(), 'brokered', { includeUsers: true })) as Record<string, any>;
    const withoutIds = (list: any[]) => list.map(({ internalId: _id, ...rest }) => rest);
    assert.deepEqual(withoutIds(exported.identityProviders), [corp, google]);
    assert.deepEqual(exported.identityProviderMappers, mappers);
    const alice = exported.users.find((u: any) => u.username === 'alice');
    assert.deepEqual(alice.federatedIdentities, file('x').users[0].federatedIdentities);
    assert.equal(exported.users.find((u: any) => u.username === 'bob').federatedIdentities, undefined);

    const masked = (await exportRealm(repository(), 'brokered', { includeUsers: false, maskSecrets: true })) as Record<string, any>;
    assert.equal(masked.identityProviders[0].config.clientSecret, '**********');

    // Into another holdfast, the export comes back the same.
    const other = await buildApp({ config: testConfig() });
    try {
      const { realm } = await importRealm(other.ctx.realms.repository, exported, { nowMs: Date.now() });
      const reexported = (await exportRealm(other.ctx.realms.repository, 'brokered', { includeUsers: true })) as Record<string, any>;
      assert.deepEqual(reexported.identityProviders, exported.identityProviders);
      assert.deepEqual(reexported.identityProviderMappers, exported.identityProviderMappers);
      assert.deepEqual(reexported.users, exported.users);
      const alice = (await other.ctx.realms.repository.findUserByUsername(realm.id, 'alice'))!;
      assert.equal((await other.ctx.realms.repository.listFederatedIdentities(alice.id)).length, 2);
    } finally {
      await other.close();
    }
  });

  it('refuses a SAML provider and an unknown mapper type by name, and takes the rest with allowLossy', async () => {
    const lossy = file('lossy', {
      identityProviders: [corp, { alias: 'partner', providerId: 'saml', config: {} }],
      identityProviderMappers: [{ ...mappers[0], id: undefined }, { name: 'weird', identityProviderAlias: 'corp', identityProviderMapper: 'script-idp-mapper', config: {} }],
      users: [],
    });
    await assert.rejects(load(lossy), (error: unknown) => error instanceof LossyImport && JSON.stringify(error).length > 0);
    assert.equal(await repository().findRealmByName('lossy'), undefined);
    const { realm } = await load(lossy, true);
    assert.deepEqual((await repository().listIdentityProviders(realm.id)).map((p) => p.alias), ['corp']);
    assert.deepEqual((await repository().listIdentityProviderMappers(realm.id)).map((m) => m.name), ['email']);
  });

  it('lists provider settings holdfast does not act on: refused unless allowLossy, the harmless ones ignored', async () => {
    const keycloakDefaults = { ...corp, alias: 'plain', hideOnLogin: false, linkOnly: false, updateProfileFirstLoginMode: 'on', config: { ...corp.config, filteredByClaim: 'false', acceptsPromptNoneForwardFromClient: 'false', allowedClockSkew: '0', disableNonce: 'false' } };
    const unhonoured = { ...corp, postBrokerLoginFlowAlias: 'otp after broker', organizationId: 'org-1', config: { ...corp.config, filteredByClaim: 'true', claimFilterName: 'groups', uiLocales: 'true' } };
    const input = file('unhonoured', { identityProviders: [keycloakDefaults, unhonoured, google], identityProviderMappers: [], users: [] });
    const refusal = await load(input).then(() => undefined, (error: unknown) => error);
    assert.ok(refusal instanceof LossyImport, String(refusal));
    const { refused, ignored } = refusal.parts;
    assert.deepEqual(refused.map((f) => f.path), ['identityProviders[1].postBrokerLoginFlowAlias', 'identityProviders[1].config.filteredByClaim']);
    assert.deepEqual(ignored.filter((f) => f.path.startsWith('identityProviders')).map((f) => f.path), ['identityProviders[1].organizationId', 'identityProviders[1].config.uiLocales']);
    assert.equal(await repository().findRealmByName('unhonoured'), undefined);
    const { realm } = await load(input, true);
    assert.deepEqual((await repository().listIdentityProviders(realm.id)).map((p) => p.alias).sort(), ['corp', 'google', 'plain']);
  });

  it('refuses mappers and links of providers the file does not have, and duplicates, writing nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ identityProviderMappers: [{ ...mappers[0], identityProviderAlias: 'nope' }] }, 'identityProviderMappers[0].identityProviderAlias'],
      [{ users: [{ username: 'carol', enabled: true, federatedIdentities: [{ identityProvider: 'nope', userId: 'x' }] }] }, 'users[0].federatedIdentities[0].identityProvider'],
      [{ users: [{ username: 'carol', enabled: true, federatedIdentities: [{ identityProvider: 'corp' }] }] }, 'users[0].federatedIdentities[0].userId'],
      [{ identityProviders: [corp, { ...corp, displayName: 'again' }], identityProviderMappers: [] }, 'identityProviders[1].alias'],
      [{ identityProviders: [{ ...corp, config: { ...corp.config, tokenUrl: 'not a url' } }], identityProviderMappers: [] }, 'identityProviders[0].config.tokenUrl'],
      [{ users: [{ username: 'c1', enabled: true, federatedIdentities: [{ identityProvider: 'corp', userId: 'same' }] }, { username: 'c2', enabled: true, federatedIdentities: [{ identityProvider: 'corp', userId: 'same' }] }] }, 'users[1].federatedIdentities[0].userId'],
    ];
    for (const [extra, path] of cases) {
      await assert.rejects(load(file('bad', extra)), (error: unknown) => (error as ShapeError).path === path, path);
      assert.equal(await repository().findRealmByName('bad'), undefined, path);
    }
  });
});
