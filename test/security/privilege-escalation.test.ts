/**
 * Issue #11.1: a low-privileged administrator cannot reshape admin power they do not hold. Driven
 * by the real @keycloak/keycloak-admin-client as the users of the attack run: a master user with
 * only `manage-realm`, and realm users with only `manage-clients` or `manage-users`. Each attempt
 * gets Keycloak's 403 (or a 400 naming the built-in role), and the realm's roles, clients and
 * users are exactly as before; afterwards a master user with no roles still cannot administer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from '../admin/admin-support.ts';

const FORBIDDEN = { status: 403, body: { error: 'HTTP 403 Forbidden' } };

describe('admin API: no privilege escalation through roles, users or clients', () => {
  let server: AdminServer;
  let master: KcAdminClient;
  let acme: KcAdminClient;

  const userWithRoles = (realm: string, username: string, roles: string[]) => userWithManagementRoles(server.url, realm, username, roles);

  /** Roles (with composites), clients (with secrets) and users of a realm, as the store holds them. */
  async function snapshot(realmName: string): Promise<string> {
    const realm = (await server.holdfast.ctx.realms.getRealm(realmName))!;
    const roles = [...realm.rolesById.values()].map((r) => [r.id, r.name, r.clientId, r.description, [...r.composites].sort()]).sort();
    const clients = [...realm.clientsById.values()].map((c) => [c.id, c.clientId, JSON.stringify(c)]).sort();
    const users = await server.holdfast.ctx.realms.repository.findUsers(realm.realm.id, { first: 0, max: 1000 } as never);
    const withRoles = await Promise.all(users.map(async (u) => [u.id, u.username, u.enabled, (await server.holdfast.ctx.realms.repository.roleIdsOfUser(u.id)).sort()]));
    return JSON.stringify({ roles, clients, users: withRoles.sort() });
  }

  async function expectFailure(call: Promise<unknown>, expected: { status: number; body?: unknown }, what: string): Promise<void> {
    const result = await failure(call);
    assert.equal(result.status, expected.status, `${what}: status`);
    if (expected.body !== undefined) assert.deepEqual(result.body, expected.body, `${what}: body`);
  }

  before(async () => {
    server = await startAdminServer();
    master = await adminClient(server.url);
    await master.realms.create({ realm: 'acme', enabled: true });
    acme = await adminClient(server.url, {}, 'acme');
  });
  after(() => server.close());

  it('a master user with only manage-realm cannot delete, rename or hollow out admin and default roles', async () => {
    await userWithRoles('master', 'realm-manager', ['manage-realm']);
    await userWithRoles('master', 'nobody', []);
    await master.roles.create({ name: 'ordinary' });
    const kc = await adminClient(server.url, { username: 'realm-manager', password: 'realm-manager-pw' });
    const admin = (await master.roles.findOneByName({ name: 'admin' }))!;
    const defaultRole = (await master.roles.findOneByName({ name: 'default-roles-master' }))!;
    const before = await snapshot('master');

    await expectFailure(kc.roles.delByName({ name: 'admin' }), FORBIDDEN, 'delete admin');
    await expectFailure(kc.roles.delById({ id: admin.id! }), FORBIDDEN, 'delete admin by id');
    await expectFailure(kc.roles.updateByName({ name: 'admin' }, { name: 'admin-gone' }), FORBIDDEN, 'rename admin');
    await expectFailure(kc.roles.updateById({ id: admin.id! }, { name: 'admin', description: 'mine now' }), FORBIDDEN, 'edit admin');
    await expectFailure(kc.roles.delCompositeRoles({ id: admin.id! }, await master.roles.getCompositeRoles({ id: admin.id! })), FORBIDDEN, 'strip admin');
    await expectFailure(
      kc.roles.updateByName({ name: 'default-roles-master' }, { name: 'admin' }),
      { status: 400, body: { field: 'name', errorMessage: 'default-roles-master is a built-in role of the realm and cannot be renamed.', params: [] } },
      'rename default role to admin',
    );
    await expectFailure(kc.roles.updateById({ id: defaultRole.id! }, { name: 'anything' }), { status: 400 }, 'rename default role');
    await expectFailure(
      kc.roles.updateByName({ name: 'ordinary' }, { name: 'admin' }),
      { status: 400, body: { field: 'name', errorMessage: 'admin is reserved for a built-in admin role.', params: [] } },
      'rename a role to admin',
    );
    await expectFailure(kc.roles.updateByName({ name: 'ordinary' }, { name: 'create-realm' }), { status: 400 }, 'rename a role to create-realm');
    await expectFailure(kc.roles.create({ name: 'admin' }), FORBIDDEN, 'create admin');
    await expectFailure(kc.roles.delByName({ name: 'create-realm' }), FORBIDDEN, 'delete create-realm');
    await expectFailure(kc.roles.createComposite({ roleId: defaultRole.id! }, [admin]), FORBIDDEN, 'admin into the default role');
    assert.equal(await snapshot('master'), before, 'master is unchanged');

    // A real admin cannot delete or rename the built-in roles either: they define who is an admin.
    await expectFailure(master.roles.delByName({ name: 'admin' }), { status: 400, body: { errorMessage: 'admin is a built-in admin role of the realm and cannot be removed.' } }, 'admin deletes admin');
    await expectFailure(master.roles.delByName({ name: 'default-roles-master' }), { status: 400, body: { errorMessage: 'default-roles-master is default role of the realm and cannot be removed.' } }, 'admin deletes the default role');

    // Ordinary configuration still works for the realm manager.
    await kc.roles.updateByName({ name: 'ordinary' }, { name: 'ordinary', description: 'still mine to edit' });

    // And nobody became an administrator: a user with no roles, with a fresh token, is refused.
    const nobody = await adminClient(server.url, { username: 'nobody', password: 'nobody-pw' });
    await expectFailure(nobody.realms.find(), FORBIDDEN, 'nobody lists realms');
    await expectFailure(nobody.realms.create({ realm: 'nobodys' }), FORBIDDEN, 'nobody creates a realm');
    nobody.setConfig({ realmName: 'acme' });
    await expectFailure(nobody.clients.find(), FORBIDDEN, 'nobody reads client secrets');
  });

  it('a realm user with only manage-clients cannot rename, strip or add realm-management roles', async () => {
    await userWithRoles('acme', 'client-manager', ['manage-clients']);
    const kc = await adminClient(server.url, { realm: 'acme', username: 'client-manager', password: 'client-manager-pw' });
    const management = (await acme.clients.find({ clientId: 'realm-management' }))[0];
    const realmAdmin = (await acme.clients.findRole({ id: management.id!, roleName: 'realm-admin' }))!;
    const manageUsers = (await acme.clients.findRole({ id: management.id!, roleName: 'manage-users' }))!;
    const realmAdminComposites = await acme.roles.getCompositeRoles({ id: realmAdmin.id! });
    const before = await snapshot('acme');

    await expectFailure(kc.clients.updateRole({ id: management.id!, roleName: 'manage-users' }, { name: 'renamed' }), FORBIDDEN, 'rename manage-users');
    await expectFailure(kc.roles.updateById({ id: manageUsers.id! }, { name: 'manage-users', description: 'x' }), FORBIDDEN, 'edit manage-users by id');
    await expectFailure(kc.clients.delRole({ id: management.id!, roleName: 'view-users' }), FORBIDDEN, 'delete view-users');
    await expectFailure(kc.roles.delCompositeRoles({ id: realmAdmin.id! }, realmAdminComposites), FORBIDDEN, 'strip realm-admin');
    await expectFailure(kc.clients.createRole({ id: management.id!, name: 'shadow-admin' }), FORBIDDEN, 'new role in realm-management');
    await expectFailure(
      kc.clients.update({ id: management.id! }, { clientId: 'not-management' }),
      { status: 400, body: { field: 'clientId', errorMessage: "Cannot rename a client to or from 'realm-management': it holds the realm's admin roles", params: [] } },
      'rename realm-management',
    );
    const tool = await kc.clients.create({ clientId: 'tool' });
    const afterTool = await snapshot('acme');
    await expectFailure(kc.clients.update({ id: tool.id }, { clientId: 'realm-management' }), { status: 400 }, 'rename a client to realm-management');
    // Holding manage-clients does not make it renamable: built-in names define the permissions.
    await expectFailure(kc.clients.updateRole({ id: management.id!, roleName: 'manage-clients' }, { name: 'mine' }), { status: 400 }, 'rename a held built-in role');
    assert.equal(await snapshot('acme'), afterTool, 'acme is unchanged but for the new client');
    await kc.clients.del({ id: tool.id });
    assert.equal(await snapshot('acme'), before);
  });

  it('a client manager cannot take over a client whose service account is an administrator', async () => {
    const { id } = await acme.clients.create({ clientId: 'admin-bot', secret: 'admin-bot-secret', serviceAccountsEnabled: true, standardFlowEnabled: false });
    const account = await acme.clients.getServiceAccountUser({ id });
    const management = (await acme.clients.find({ clientId: 'realm-management' }))[0];
    const realmAdmin = (await acme.clients.findRole({ id: management.id!, roleName: 'realm-admin' }))!;
    await acme.users.addClientRoleMappings({ id: account.id!, clientUniqueId: management.id!, roles: [{ id: realmAdmin.id!, name: 'realm-admin' }] });
    const kc = await adminClient(server.url, { realm: 'acme', username: 'client-manager', password: 'client-manager-pw' });
    const before = await snapshot('acme');

    await expectFailure(kc.clients.getClientSecret({ id }), FORBIDDEN, 'read secret');
    await expectFailure(kc.clients.generateNewClientSecret({ id }), FORBIDDEN, 'regenerate secret');
    await expectFailure(kc.clients.update({ id }, { redirectUris: ['https://evil.example/*'] }), FORBIDDEN, 'reshape the client');
    await expectFailure(kc.clients.del({ id }), FORBIDDEN, 'delete the client');
    const seen = (await kc.clients.find({ clientId: 'admin-bot' }))[0];
    assert.equal(seen.secret, undefined, 'the listing hides the secret');
    assert.equal((await kc.clients.findOne({ id }))!.secret, undefined, 'the representation hides the secret');
    assert.equal(await snapshot('acme'), before);
    // The real admin still sees it, and the secret still works.
    assert.equal((await acme.clients.getClientSecret({ id })).value, 'admin-bot-secret');
    const token = await tokenFor(server.url, 'acme', { grant_type: 'client_credentials', client_id: 'admin-bot', client_secret: 'admin-bot-secret' });
    assert.equal(token.status, 200);
  });

  it('a user manager cannot take over, disable, delete or demote a more powerful user', async () => {
    const bossId = await userWithRoles('acme', 'boss', ['realm-admin']);
    const plainId = await userWithRoles('acme', 'plain', []);
    await userWithRoles('acme', 'user-manager', ['manage-users']);
    const kc = await adminClient(server.url, { realm: 'acme', username: 'user-manager', password: 'user-manager-pw' });
    const management = (await acme.clients.find({ clientId: 'realm-management' }))[0];
    const realmAdmin = (await acme.clients.findRole({ id: management.id!, roleName: 'realm-admin' }))!;
    const before = await snapshot('acme');

    await expectFailure(kc.users.resetPassword({ id: bossId, credential: { type: 'password', value: 'taken-over', temporary: false } }), FORBIDDEN, 'reset the boss password');
    await expectFailure(kc.users.update({ id: bossId }, { enabled: false }), FORBIDDEN, 'disable the boss');
    await expectFailure(kc.users.update({ id: bossId }, { email: 'attacker@example.com' }), FORBIDDEN, 'change the boss e-mail');
    await expectFailure(kc.users.del({ id: bossId }), FORBIDDEN, 'delete the boss');
    await expectFailure(kc.users.delClientRoleMappings({ id: bossId, clientUniqueId: management.id!, roles: [{ id: realmAdmin.id!, name: 'realm-admin' }] }), FORBIDDEN, 'demote the boss');
    assert.equal(await snapshot('acme'), before);
    const boss = await tokenFor(server.url, 'acme', { grant_type: 'password', client_id: 'admin-cli', username: 'boss', password: 'boss-pw' });
    assert.equal(boss.status, 200, 'the boss keeps their password');

    // Ordinary users are still theirs to manage.
    await kc.users.resetPassword({ id: plainId, credential: { type: 'password', value: 'new-plain-pw', temporary: false } });
    await kc.users.update({ id: plainId }, { firstName: 'Plain' });
    // A realm admin may act on another realm admin, as in Keycloak.
    const bossClient = await adminClient(server.url, { realm: 'acme', username: 'boss', password: 'boss-pw' });
    const otherBoss = await userWithRoles('acme', 'other-boss', ['realm-admin']);
    await bossClient.users.update({ id: otherBoss }, { firstName: 'Other' });
  });

  it('a master user manager cannot take over the master admin', async () => {
    await userWithRoles('master', 'master-user-manager', ['manage-users']);
    const kc = await adminClient(server.url, { username: 'master-user-manager', password: 'master-user-manager-pw' });
    const adminId = (await master.users.find({ username: 'admin', exact: true }))[0].id!;
    await expectFailure(kc.users.resetPassword({ id: adminId, credential: { type: 'password', value: 'mine', temporary: false } }), FORBIDDEN, 'reset admin password');
    await expectFailure(kc.users.del({ id: adminId }), FORBIDDEN, 'delete admin');
    const createRealm = (await master.roles.findOneByName({ name: 'create-realm' }))!;
    const selfId = (await master.users.find({ username: 'master-user-manager', exact: true }))[0].id!;
    await expectFailure(kc.users.addRealmRoleMappings({ id: selfId, roles: [{ id: createRealm.id!, name: 'create-realm' }] }), FORBIDDEN, 'grant self create-realm');
    const raw = await adminRequest(server.url, (await tokenFor(server.url, 'master', { grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' })).body.access_token, 'GET', '/master/users/count');
    assert.equal(raw.status, 200, 'the master admin keeps their password');
  });
});
