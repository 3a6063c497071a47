/**
 * Claims from protocol mappers (issue #12.3) in real tokens, userinfo and introspection, through a
 * listening holdfast set up with the real admin client: a fresh realm's built-in scopes give the
 * claims Keycloak 26 gives (recorded from a Keycloak 26.7 for the same user), each mapper type
 * writes where and what its config says (nested and escaped claim names, JSON types, the
 * token-kind flags), an optional scope's mappers apply only when the scope is asked for, role
 * mappers change the roles tokens carry, `fullScopeAllowed` false limits them to the scope
 * mappings (`offline_access` included), and a database from before mappers keeps its claims after
 * the upgrade. On SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { tempDir } from '../support/process.ts';
import { adminClient, startAdminServer, startAdminServerOn, tokenFor, type AdminServer } from '../admin/admin-support.ts';
import { decodeJwt } from '../support/app.ts';
import { undoMigrationsFrom } from '../support/undo-migrations.ts';
import { UnmanagedAttributePolicy } from '@keycloak/keycloak-admin-client/lib/defs/userProfileMetadata.js';

const REALM = 'claims';
const SECRET = 'app-secret';
const OIDC = 'openid-connect';

async function userinfo(url: string, accessToken: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/realms/${REALM}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

async function introspect(url: string, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/realms/${REALM}/protocol/openid-connect/token/introspect`, {
    method: 'POST',
    body: new URLSearchParams({ token, client_id: 'app', client_secret: SECRET }),
  });
  return (await response.json()) as Record<string, unknown>;
}

const mapper = (name: string, protocolMapper: string, config: Record<string, string>) => ({ name, protocol: OIDC, protocolMapper, config });

for (const dialect of ['sqlite', 'postgres'] as const) describe(`protocol mappers in tokens (${dialect})`, () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let appId: string;
  const login = (scope = 'openid', clientId = 'app') =>
    tokenFor(server.url, REALM, { grant_type: 'password', client_id: clientId, client_secret: SECRET, username: 'alice', password: 'alice-pw', scope });

  before(async () => {
    server = await startAdminServerOn(dialect);
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    // The mappers read attributes outside Keycloak's default user profile.
    await kc.users.updateProfile({ ...(await kc.users.getProfile()), unmanagedAttributePolicy: UnmanagedAttributePolicy.Enabled });
    ({ id: appId } = await kc.clients.create({ clientId: 'app', secret: SECRET, directAccessGrantsEnabled: true, publicClient: false }));
    await kc.users.create({
      username: 'alice',
      enabled: true,
      email: 'a@x.org',
      firstName: 'A',
      lastName: 'L',
      emailVerified: true,
      attributes: { department: ['ops', 'dev'], level: ['7'], 'profile.json': ['{"team":"blue"}'] },
      credentials: [{ type: 'password', value: 'alice-pw', temporary: false }],
    });
  });
  after(async () => {
    await server?.close();
  });

  it('gives a fresh realm the claims Keycloak 26 gives, from the built-in scopes mappers', async () => {
    const { status, body } = await login();
    assert.equal(status, 200);
    const access = decodeJwt(body.access_token);
    // Keycloak 26.7, same user and client: these keys, in this order (auth_time: holdfast's password grant also sets it).
    assert.deepEqual(
      Object.keys(access).filter((k) => k !== 'auth_time'),
      ['exp', 'iat', 'jti', 'iss', 'aud', 'sub', 'typ', 'azp', 'sid', 'acr', 'realm_access', 'resource_access', 'scope', 'email_verified', 'name', 'preferred_username', 'given_name', 'family_name', 'email'],
    );
    assert.equal(access.aud, 'account');
    assert.deepEqual((access.realm_access as { roles: string[] }).roles.sort(), ['default-roles-claims', 'offline_access', 'uma_authorization']);
    assert.deepEqual(access.resource_access, { account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] } });
    assert.equal(access.name, 'A L');
    assert.equal(access.email_verified, true);
    const id = decodeJwt(body.id_token);
    assert.deepEqual(
      Object.keys(id).filter((k) => k !== 'auth_time'),
      ['exp', 'iat', 'jti', 'iss', 'aud', 'sub', 'typ', 'azp', 'sid', 'at_hash', 'acr', 'email_verified', 'name', 'preferred_username', 'given_name', 'family_name', 'email'],
    );
    assert.equal(id.aud, 'app');
    const info = await userinfo(server.url, body.access_token);
    assert.deepEqual(Object.keys(info), ['sub', 'email_verified', 'name', 'preferred_username', 'given_name', 'family_name', 'email']);
    const active = await introspect(server.url, body.access_token);
    assert.equal(active.active, true);
    assert.deepEqual(active.realm_access, access.realm_access);
    assert.equal(active.preferred_username, 'alice');
  });

  it('applies each mapper type where its config says, with nested and escaped claim names and JSON types', async () => {
    const scopeId = (await kc.clientScopes.create({ name: 'extras', protocol: OIDC, protocolMappers: [] })) as unknown as { id: string };
    const scope = (await kc.clientScopes.findOneByName({ name: 'extras' }))!;
    assert.ok(scopeId);
    const group = await kc.groups.create({ name: 'staff' });
    const sub = await kc.groups.createChildGroup({ id: group.id }, { name: 'ops', attributes: { site: ['north'] } });
    const alice = (await kc.users.find({ username: 'alice', exact: true }))[0];
    await kc.users.addToGroup({ id: alice.id!, groupId: sub.id });
    await kc.clients.createRole({ id: appId, name: 'reader' });
    const reader = await kc.clients.findRole({ id: appId, roleName: 'reader' });
    await kc.users.addClientRoleMappings({ id: alice.id!, clientUniqueId: appId, roles: [{ id: reader!.id!, name: 'reader' }] });
    await kc.clientScopes.addMultipleProtocolMappers({ id: scope.id! }, [
      mapper('dept', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'department', 'claim.name': 'org.dept', multivalued: 'true', 'access.token.claim': 'true', 'id.token.claim': 'false', 'userinfo.token.claim': 'true', 'jsonType.label': 'String' }),
      mapper('level', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'level', 'claim.name': 'https://example\\.com/level', 'access.token.claim': 'true', 'id.token.claim': 'true', 'jsonType.label': 'long' }),
      mapper('site', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'site', 'claim.name': 'site', 'access.token.claim': 'true' }),
      mapper('profile json', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'profile.json', 'claim.name': 'prefs', 'jsonType.label': 'JSON', 'access.token.claim': 'true' }),
      mapper('tenant', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'tenant.id', 'claim.value': '42', 'jsonType.label': 'int', 'access.token.claim': 'true', 'introspection.token.claim': 'false' }),
      mapper('flag', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'beta', 'claim.value': 'true', 'jsonType.label': 'boolean', 'access.token.claim': 'false', 'id.token.claim': 'true', 'userinfo.token.claim': 'true' }),
      mapper('forged', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'iss', 'claim.value': 'https://evil', 'access.token.claim': 'true' }),
      mapper('groups', 'oidc-group-membership-mapper', { 'claim.name': 'groups', 'full.path': 'true', 'access.token.claim': 'true', 'id.token.claim': 'true' }),
      mapper('group names', 'oidc-group-membership-mapper', { 'claim.name': 'group_names', 'full.path': 'false', 'access.token.claim': 'true' }),
      mapper('api audience', 'oidc-audience-mapper', { 'included.custom.audience': 'https://api.example.com', 'access.token.claim': 'true', 'id.token.claim': 'true' }),
      mapper('app roles', 'oidc-usermodel-client-role-mapper', { 'usermodel.clientRoleMapping.clientId': 'app', 'usermodel.clientRoleMapping.rolePrefix': 'app:', 'claim.name': 'app_roles', multivalued: 'true', 'access.token.claim': 'true' }),
      mapper('realm roles flat', 'oidc-usermodel-realm-role-mapper', { 'claim.name': 'all_roles', multivalued: 'true', 'access.token.claim': 'true' }),
    ]);
    await kc.clients.addOptionalClientScope({ id: appId, clientScopeId: scope.id! });

    const without = decodeJwt((await login('openid')).body.access_token);
    assert.equal(without.org, undefined);
    assert.equal(without.groups, undefined);

    const { status, body } = await login('openid extras');
    assert.equal(status, 200);
    assert.equal(body.scope, 'openid profile email extras');
    const access = decodeJwt(body.access_token);
    assert.deepEqual(access.org, { dept: ['ops', 'dev'] });
    assert.equal(access['https://example.com/level'], 7);
    assert.equal(access.site, 'north');
    assert.deepEqual(access.prefs, { team: 'blue' });
    assert.deepEqual(access.tenant, { id: 42 });
    assert.equal(access.beta, undefined);
    assert.equal(access.iss, `${server.url}/realms/${REALM}`);
    assert.deepEqual(access.groups, ['/staff/ops']);
    assert.deepEqual(access.group_names, ['ops']);
    assert.deepEqual(access.aud, ['https://api.example.com', 'account']);
    assert.deepEqual(access.app_roles, ['app:reader']);
    assert.ok((access.all_roles as string[]).includes('offline_access'));
    assert.deepEqual((access.resource_access as Record<string, unknown>).app, { roles: ['reader'] });

    const id = decodeJwt(body.id_token);
    assert.equal(id.org, undefined);
    assert.equal(id['https://example.com/level'], 7);
    assert.equal(id.beta, true);
    assert.deepEqual(id.groups, ['/staff/ops']);
    assert.deepEqual(id.aud, ['app', 'https://api.example.com']);

    const info = await userinfo(server.url, body.access_token);
    assert.deepEqual(info.org, { dept: ['ops', 'dev'] });
    assert.equal(info.beta, true);
    assert.equal(info.groups, undefined);

    const active = await introspect(server.url, body.access_token);
    assert.deepEqual(active.org, { dept: ['ops', 'dev'] });
    assert.equal(active.tenant, undefined);
    assert.deepEqual(active.groups, ['/staff/ops']);

    // The client's own mappers apply with its scopes' mappers.
    await kc.clients.addProtocolMapper({ id: appId }, mapper('client claim', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'from_client', 'claim.value': 'yes', 'access.token.claim': 'true' }));
    assert.equal(decodeJwt((await login('openid')).body.access_token).from_client, 'yes');

    // A refresh keeps the same claims (the plan is cached per client and scope set).
    const refreshed = await tokenFor(server.url, REALM, { grant_type: 'refresh_token', refresh_token: body.refresh_token, client_id: 'app', client_secret: SECRET });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(decodeJwt(refreshed.body.access_token).org, { dept: ['ops', 'dev'] });
  });

  it('changes the roles tokens carry with hardcoded-role and role-name mappers', async () => {
    await kc.roles.create({ name: 'auditor' });
    const scope = (await kc.clientScopes.findOneByName({ name: 'extras' }))!;
    await kc.clientScopes.addMultipleProtocolMappers({ id: scope.id! }, [
      mapper('auditor always', 'oidc-hardcoded-role-mapper', { role: 'auditor' }),
      mapper('reader renamed', 'oidc-role-name-mapper', { role: 'app.reader', 'new.role.name': 'app.viewer' }),
    ]);
    const access = decodeJwt((await login('openid extras')).body.access_token);
    assert.ok((access.realm_access as { roles: string[] }).roles.includes('auditor'));
    assert.deepEqual((access.resource_access as Record<string, unknown>).app, { roles: ['viewer'] });
    assert.deepEqual(access.app_roles, ['app:viewer']);
  });

  it('limits the roles of a client without full scope to its scope mappings and its scopes', async () => {
    const { id } = await kc.clients.create({ clientId: 'narrow', secret: SECRET, directAccessGrantsEnabled: true, publicClient: false, fullScopeAllowed: false });
    const narrow = (scope = 'openid') => tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'narrow', client_secret: SECRET, username: 'alice', password: 'alice-pw', scope });
    let access = decodeJwt((await narrow()).body.access_token);
    assert.equal(access.realm_access, undefined);
    assert.equal(access.resource_access, undefined);
    assert.equal(access.aud, undefined);

    const uma = (await kc.roles.findOneByName({ name: 'uma_authorization' }))!;
    await kc.clients.addRealmScopeMappings({ id }, [{ id: uma.id!, name: uma.name! }]);
    const account = (await kc.clients.find({ clientId: 'account' }))[0];
    const viewProfile = (await kc.clients.findRole({ id: account.id!, roleName: 'view-profile' }))!;
    await kc.clients.addClientScopeMappings({ id, client: account.id! }, [{ id: viewProfile.id!, name: viewProfile.name! }]);
    access = decodeJwt((await narrow()).body.access_token);
    assert.deepEqual(access.realm_access, { roles: ['uma_authorization'] });
    assert.deepEqual(access.resource_access, { account: { roles: ['view-profile'] } });
    assert.equal(access.aud, 'account');

    // The default role is a composite: mapping it brings what it contains.
    const defaultRole = (await kc.roles.findOneByName({ name: 'default-roles-claims' }))!;
    await kc.clients.addRealmScopeMappings({ id }, [{ id: defaultRole.id!, name: defaultRole.name! }]);
    assert.deepEqual((decodeJwt((await narrow()).body.access_token).realm_access as { roles: string[] }).roles, ['default-roles-claims', 'offline_access', 'uma_authorization']);
    await kc.clients.delRealmScopeMappings({ id }, [{ id: defaultRole.id!, name: defaultRole.name! }]);

    // offline_access comes through the offline_access scope's scope mapping, as in Keycloak.
    const offline = await narrow('openid offline_access');
    assert.equal(offline.status, 200, JSON.stringify(offline.body));
    const offlineScope = (await kc.clientScopes.findOneByName({ name: 'offline_access' }))!;
    const role = (await kc.roles.findOneByName({ name: 'offline_access' }))!;
    assert.deepEqual(
      (await kc.clientScopes.listRealmScopeMappings({ id: offlineScope.id! })).map((r) => r.name),
      ['offline_access'],
    );
    await kc.clientScopes.delRealmScopeMappings({ id: offlineScope.id! }, [{ id: role.id!, name: role.name! }]);
    const refused = await narrow('openid offline_access');
    assert.deepEqual(refused, { status: 400, body: { error: 'not_allowed', error_description: 'Offline tokens not allowed for the user or client' } });
    // A client with full scope is not limited by scope mappings.
    assert.equal((await login('openid offline_access')).status, 200);
    await kc.clientScopes.addRealmScopeMappings({ id: offlineScope.id! }, [{ id: role.id!, name: role.name! }]);
  });

  if (dialect === 'sqlite') {
    it('keeps the claims of a database from before mappers after the upgrade', async () => {
      const dataDir = tempDir('holdfast-mappers-upgrade-');
      try {
        let upgraded = await startAdminServer({ dataDir });
        const before = decodeJwt((await tokenFor(upgraded.url, 'demo', { grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password: 'alice', scope: 'openid phone' })).body.access_token);
        await upgraded.close();
        // Back to the release before: scopes without mappers, no scope mapping tables (migration 013 and later undone).
        const file = fs.readdirSync(dataDir).find((f) => f.endsWith('.db') || f.endsWith('.sqlite'))!;
        const db = new Database(`${dataDir}/${file}`);
        db.exec("UPDATE client_scope SET representation = json_set(representation, '$.protocolMappers', json('[]'))");
        undoMigrationsFrom(db, '013-protocol-mappers');
        db.close();
        upgraded = await startAdminServer({ dataDir });
        const after = decodeJwt((await tokenFor(upgraded.url, 'demo', { grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password: 'alice', scope: 'openid phone' })).body.access_token);
        const stable = (claims: Record<string, unknown>) => Object.fromEntries(Object.entries(claims).filter(([k]) => !['exp', 'iat', 'auth_time', 'jti', 'sid', 'iss'].includes(k)));
        assert.deepEqual(stable(after), stable(before));
        const realm = (await upgraded.holdfast.ctx.realms.getRealm('demo'))!;
        const offline = [...realm.clientScopesById.values()].find((s) => s.name === 'offline_access')!;
        assert.deepEqual(offline.scopeMappings.map((id) => realm.rolesById.get(id)!.name), ['offline_access']);
        await upgraded.close();
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
