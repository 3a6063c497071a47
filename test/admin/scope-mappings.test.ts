/**
 * Scope mappings of clients and client scopes (issue #12.2) and evaluate-scopes (#12.4) with the
 * real admin client: realm and client roles added, listed (`available`, `composite`, all) and
 * removed on both owners; least privilege (a role the caller could not grant cannot be put in a
 * scope); realm files carry `scopeMappings` and `clientScopeMappings` both ways, refusing names
 * that do not resolve; evaluate-scopes answers from the same plan that issues tokens. On SQLite
 * and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { exportRealm, importRealm } from '../../src/admin/index.ts';
import { adminClient, adminRequest, failure, tokenFor, userWithManagementRoles, type AdminServer, startAdminRealm } from './admin-support.ts';
import { decodeJwt } from '../support/app.ts';

const REALM = 'scoped';
const OIDC = 'openid-connect';
const names = (roles: Array<{ name?: string }>) => roles.map((r) => r.name).sort();

for (const dialect of ['sqlite', 'postgres'] as const) describe(`admin API: scope mappings and evaluate-scopes (${dialect})`, () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let clientId: string;
  let accountId: string;
  let scopeId: string;

  before(async () => {
    ({ server, kc, token } = await startAdminRealm(dialect, REALM));
    ({ id: clientId } = await kc.clients.create({ clientId: 'narrow', fullScopeAllowed: false, secret: 's', directAccessGrantsEnabled: true }));
    accountId = (await kc.clients.find({ clientId: 'account' }))[0].id!;
    await kc.clientScopes.create({ name: 'reports', protocol: OIDC });
    scopeId = (await kc.clientScopes.findOneByName({ name: 'reports' }))!.id!;
    await kc.roles.create({ name: 'reader' });
    await kc.roles.create({ name: 'boss', composite: true });
    const reader = (await kc.roles.findOneByName({ name: 'reader' }))!;
    await kc.roles.createComposite({ roleId: (await kc.roles.findOneByName({ name: 'boss' }))!.id! }, [reader]);
    await kc.users.create({ username: 'alice', enabled: true, credentials: [{ type: 'password', value: 'alice-pw', temporary: false }] });
  });
  after(async () => {
    await server?.close();
  });

  it('adds, lists and removes realm and client roles in the scope of a client and of a client scope', async () => {
    const boss = (await kc.roles.findOneByName({ name: 'boss' }))!;
    const viewProfile = (await kc.clients.findRole({ id: accountId, roleName: 'view-profile' }))!;
    for (const [owner, api] of [
      [{ id: clientId }, kc.clients],
      [{ id: scopeId }, kc.clientScopes],
    ] as const) {
      await api.addRealmScopeMappings(owner, [{ id: boss.id!, name: boss.name! }]);
      await api.addClientScopeMappings({ ...owner, client: accountId }, [{ id: viewProfile.id!, name: viewProfile.name! }]);
      assert.deepEqual(names(await api.listRealmScopeMappings(owner)), ['boss']);
      assert.deepEqual(names(await api.listCompositeRealmScopeMappings(owner)), ['boss', 'reader']);
      assert.ok(!names(await api.listAvailableRealmScopeMappings(owner)).includes('boss'));
      assert.ok(names(await api.listAvailableRealmScopeMappings(owner)).includes('reader'));
      assert.deepEqual(names(await api.listClientScopeMappings({ ...owner, client: accountId })), ['view-profile']);
      assert.deepEqual(names(await api.listCompositeClientScopeMappings({ ...owner, client: accountId })), ['view-profile']);
      assert.ok(!names(await api.listAvailableClientScopeMappings({ ...owner, client: accountId })).includes('view-profile'));
      const all = await api.listScopeMappings(owner);
      assert.deepEqual(names(all.realmMappings!), ['boss']);
      assert.deepEqual(Object.keys(all.clientMappings!), ['account']);
      assert.equal(all.clientMappings!.account.id, accountId);
      assert.deepEqual(names(all.clientMappings!.account.mappings), ['view-profile']);
    }
    // A client with full scope has every role in its composite view, as Keycloak's hasScope says.
    const full = (await kc.clients.find({ clientId: 'admin-cli' }))[0];
    assert.ok(names(await kc.clients.listCompositeRealmScopeMappings({ id: full.id! })).includes('reader'));

    await kc.clientScopes.delRealmScopeMappings({ id: scopeId }, [{ id: boss.id!, name: boss.name! }]);
    assert.deepEqual(await kc.clientScopes.listRealmScopeMappings({ id: scopeId }), []);
    await kc.clientScopes.addRealmScopeMappings({ id: scopeId }, [{ id: boss.id!, name: boss.name! }]);

    const expect = async (method: string, path: string, body: unknown, status: number, expected: unknown) => {
      const response = await adminRequest(server.url, token, method, path, body);
      assert.deepEqual({ status: response.status, body: response.body }, { status, body: expected }, `${method} ${path}`);
    };
    await expect('POST', `/${REALM}/clients/${clientId}/scope-mappings/realm`, [{ name: 'nope' }], 404, { error: 'Role not found' });
    await expect('POST', `/${REALM}/clients/${clientId}/scope-mappings/realm`, [{ id: viewProfile.id, name: 'view-profile' }], 404, { error: 'Role not found' });
    await expect('GET', `/${REALM}/clients/nope/scope-mappings`, undefined, 404, { error: 'Could not find client' });
    await expect('GET', `/${REALM}/client-scopes/nope/scope-mappings/realm`, undefined, 404, { error: 'Could not find client scope' });
    await expect('GET', `/${REALM}/clients/${clientId}/scope-mappings/clients/nope`, undefined, 404, { error: 'Client not found' });
  });

  it('refuses to put into a scope a role the caller could not grant', async () => {
    await userWithManagementRoles(server.url, REALM, 'clientmgr', ['manage-clients', 'view-clients']);
    const manager = await adminClient(server.url, { realm: REALM, username: 'clientmgr', password: 'clientmgr-pw' });
    manager.setConfig({ realmName: REALM });
    const management = (await kc.clients.find({ clientId: 'realm-management' }))[0];
    const manageUsers = (await kc.clients.findRole({ id: management.id!, roleName: 'manage-users' }))!;
    const role = [{ id: manageUsers.id!, name: manageUsers.name! }];
    assert.equal((await failure(manager.clients.addClientScopeMappings({ id: clientId, client: management.id! }, role))).status, 403);
    assert.equal((await failure(manager.clientScopes.addClientScopeMappings({ id: scopeId, client: management.id! }, role))).status, 403);
    const reader = (await kc.roles.findOneByName({ name: 'reader' }))!;
    await manager.clients.addRealmScopeMappings({ id: clientId }, [{ id: reader.id!, name: reader.name! }]);
    await kc.clients.addClientScopeMappings({ id: clientId, client: management.id! }, role);
    assert.equal((await failure(manager.clients.delClientScopeMappings({ id: clientId, client: management.id! }, role))).status, 403);
    await kc.clients.delClientScopeMappings({ id: clientId, client: management.id! }, role);
    await kc.clients.delRealmScopeMappings({ id: clientId }, [{ id: reader.id!, name: reader.name! }]);
  });

  it('evaluates scopes with the plan that issues tokens', async () => {
    await kc.clients.addOptionalClientScope({ id: clientId, clientScopeId: scopeId });
    await kc.clientScopes.addProtocolMapper({ id: scopeId }, { name: 'rep', protocol: OIDC, protocolMapper: 'oidc-hardcoded-claim-mapper', config: { 'claim.name': 'report', 'claim.value': 'yes', 'access.token.claim': 'true', 'userinfo.token.claim': 'true' } });
    const listed = (await kc.clients.evaluateListProtocolMapper({ id: clientId, scope: 'reports' })) as unknown as Array<Record<string, string>>;
    const rep = listed.find((m) => m.mapperName === 'rep')!;
    assert.deepEqual({ ...rep, mapperId: undefined }, { mapperId: undefined, mapperName: 'rep', containerId: scopeId, containerName: 'reports', containerType: 'client-scope', protocolMapper: 'oidc-hardcoded-claim-mapper' });
    assert.equal(((await kc.clients.evaluateListProtocolMapper({ id: clientId, scope: '' })) as unknown as Array<Record<string, string>>).some((m) => m.mapperName === 'rep'), false);

    const realmId = (await kc.realms.findOne({ realm: REALM }))!.id!;
    const granted = await kc.clients.evaluatePermission({ id: clientId, roleContainer: realmId, type: 'granted', scope: 'reports' });
    assert.deepEqual(names(granted), ['boss', 'reader']);
    assert.deepEqual(names(await kc.clients.evaluatePermission({ id: clientId, roleContainer: realmId, type: 'granted', scope: 'offline_access' })), ['boss', 'offline_access', 'reader']);
    assert.ok(names(await kc.clients.evaluatePermission({ id: clientId, roleContainer: realmId, type: 'not-granted', scope: '' })).includes('uma_authorization'));
    assert.deepEqual(names(await kc.clients.evaluatePermission({ id: clientId, roleContainer: accountId, type: 'granted', scope: 'reports' })), ['view-profile']);

    const alice = (await kc.users.find({ username: 'alice', exact: true }))[0];
    const boss = (await kc.roles.findOneByName({ name: 'boss' }))!;
    await kc.users.addRealmRoleMappings({ id: alice.id!, roles: [{ id: boss.id!, name: boss.name! }] });
    const example = await kc.clients.evaluateGenerateAccessToken({ id: clientId, userId: alice.id!, scope: 'reports', audience: '' });
    const issued = decodeJwt((await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'narrow', client_secret: 's', username: 'alice', password: 'alice-pw', scope: 'openid reports' })).body.access_token);
    const stable = (claims: Record<string, unknown>) => Object.fromEntries(Object.entries(claims).filter(([k]) => !['exp', 'iat', 'auth_time', 'jti', 'sid'].includes(k)));
    assert.deepEqual(stable(example as Record<string, unknown>), stable(issued));
    assert.equal((example as Record<string, unknown>).report, 'yes');
    const id = (await kc.clients.evaluateGenerateIdToken({ id: clientId, userId: alice.id!, scope: '' })) as Record<string, unknown>;
    assert.equal(id.typ, 'ID');
    assert.equal(id.preferred_username, 'alice');
    const info = (await kc.clients.evaluateGenerateUserInfo({ id: clientId, userId: alice.id!, scope: 'reports' })) as Record<string, unknown>;
    assert.deepEqual([info.sub, info.report], [alice.id, 'yes']);
    const missing = await adminRequest(server.url, token, 'GET', `/${REALM}/clients/${clientId}/evaluate-scopes/generate-example-access-token?userId=nope`);
    assert.deepEqual({ status: missing.status, body: missing.body }, { status: 404, body: { error: 'No user found' } });
    const bad = await adminRequest(server.url, token, 'GET', `/${REALM}/clients/${clientId}/evaluate-scopes/protocol-mappers?scope=unknown`);
    assert.equal(bad.status, 400);
  });

  it('exports and imports scope mappings, and refuses names that do not resolve', async () => {
    const repository = server.holdfast.ctx.realms.repository;
    const first = await exportRealm(repository, REALM, { includeUsers: true });
    assert.deepEqual(first.scopeMappings, [
      { client: 'narrow', roles: ['boss'] },
      { clientScope: 'offline_access', roles: ['offline_access'] },
      { clientScope: 'reports', roles: ['boss'] },
    ]);
    assert.deepEqual(first.clientScopeMappings, { account: [{ client: 'account-console', roles: ['manage-account', 'view-groups'] }, { client: 'narrow', roles: ['view-profile'] }, { clientScope: 'reports', roles: ['view-profile'] }] });
    await importRealm(repository, structuredClone(first), { nowMs: Date.now(), ifExists: 'replace' });
    const second = await exportRealm(repository, REALM, { includeUsers: true });
    assert.deepEqual([second.scopeMappings, second.clientScopeMappings], [first.scopeMappings, first.clientScopeMappings]);
    for (const [patch, message] of [
      [{ scopeMappings: [{ client: 'ghost', roles: ['boss'] }] }, /scopeMappings\[0\]\.client: unknown client 'ghost'/],
      [{ scopeMappings: [{ clientScope: 'reports', roles: ['ghost'] }] }, /scopeMappings\[0\]\.roles\[0\]: unknown realm role 'ghost'/],
      [{ clientScopeMappings: { account: [{ client: 'narrow', roles: ['ghost'] }] } }, /clientScopeMappings\.account\[0\]\.roles\[0\]: unknown role 'ghost' of client 'account'/],
    ] as const) {
      await assert.rejects(importRealm(repository, { ...structuredClone(first), ...patch }, { nowMs: Date.now(), ifExists: 'replace' }), message);
    }
    await server.holdfast.ctx.realms.realmChanged((await repository.findRealmByName(REALM))!.id);
  });
});
