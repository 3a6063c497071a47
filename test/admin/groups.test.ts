/**
 * Groups (issue #12.1) through @keycloak/keycloak-admin-client 26 against a real listening
 * holdfast: the tree (subgroups, paths, by-path lookup, search, `q`, count, paging, moves),
 * members and a user's groups, default groups on user creation, role mappings on groups reaching
 * the access token's `realm_access`/`resource_access` and the composite views, bad input with
 * Keycloak's status and body and nothing written, and the escalation cases: a manage-users holder
 * cannot put anyone into, or build, a group that confers admin power, while a realm-admin granted
 * through a group really is an administrator (and stops being one when they leave it). The whole
 * suite runs on SQLite and on PostgreSQL (a throwaway database).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, tokenFor, type AdminServer, startAdminRealm } from './admin-support.ts';

const REALM = 'org';
const FORBIDDEN = { status: 403, body: { error: 'HTTP 403 Forbidden' } };

for (const dialect of ['sqlite', 'postgres'] as const) describe(`admin API: groups (${dialect})`, () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let appId: string;
  const ids: Record<string, string> = {};
  const request = (method: string, path: string, body?: unknown) => adminRequest(server.url, token, method, path, body);
  const login = (username: string) =>
    tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'app', client_secret: 'app-secret', username, password: `${username}-pw` });
  const claims = (accessToken: string) => JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'));
  const tokenClaims = async (username: string) => {
    const response = await login(username);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return claims(response.body.access_token);
  };
  const names = (list: Array<{ name?: string; username?: string }>) => list.map((g) => g.name ?? g.username);
  const createUser = async (username: string) => {
    const { id } = await kc.users.create({ username, enabled: true, credentials: [{ type: 'password', value: `${username}-pw`, temporary: false }] });
    ids[username] = id;
    return id;
  };
  /** Groups with their role mappings and members, as the store holds them. */
  async function snapshot(): Promise<string> {
    const repository = server.holdfast.ctx.realms.repository;
    const realm = (await repository.findRealmByName(REALM))!;
    const groups = await repository.listGroups(realm.id);
    const members = await Promise.all(groups.map(async (g) => [g.id, (await repository.listGroupMembers(g.id, 0, 1000)).map((u) => u.id).sort()]));
    return JSON.stringify({ groups, members });
  }

  before(async () => {
    ({ server, kc, token } = await startAdminRealm(dialect, REALM));
    ({ id: appId } = await kc.clients.create({ clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true }));
    await kc.roles.create({ name: 'staff-role' });
    await kc.clients.createRole({ id: appId, name: 'reader' });
    for (const username of ['alice', 'bob']) await createUser(username);
  });
  after(async () => {
    await server.close();
  });

  it('builds a tree with paths, finds groups by path, search, attributes and page, and counts them', async () => {
    ({ id: ids.staff } = await kc.groups.create({ name: 'staff', attributes: { floor: ['3'] } }));
    ({ id: ids.ops } = await kc.groups.createChildGroup({ id: ids.staff }, { name: 'ops' }));
    ({ id: ids.night } = await kc.groups.createChildGroup({ id: ids.ops }, { name: 'night' }));
    ({ id: ids.sales } = await kc.groups.create({ name: 'sales', description: 'Sells' }));

    const ops = (await kc.groups.findOne({ id: ids.ops }))!;
    assert.equal(ops.path, '/staff/ops');
    assert.equal(ops.parentId, ids.staff);
    assert.equal(ops.subGroupCount, 1);
    assert.deepEqual(ops.subGroups, []);
    assert.deepEqual([ops.attributes, ops.realmRoles, ops.clientRoles], [{}, [], {}]);
    assert.deepEqual(ops.access, { view: true, viewMembers: true, manageMembers: true, manage: true, manageMembership: true });

    const top = await kc.groups.find();
    assert.deepEqual(names(top), ['sales', 'staff']);
    assert.deepEqual(
      top.map((g) => [g.path, g.subGroupCount, g.subGroups, g.attributes]),
      [
        ['/sales', 0, [], undefined],
        ['/staff', 1, [], undefined],
      ],
    );
    assert.equal(top[0].description, 'Sells');
    assert.deepEqual((await kc.groups.find({ briefRepresentation: false }))[1].attributes, { floor: ['3'] });

    // A search answers the matches inside their ancestors, from the top down, with no other siblings.
    const found = await kc.groups.find({ search: 'NIG' });
    assert.deepEqual(names(found), ['staff']);
    assert.deepEqual(names(found[0].subGroups!), ['ops']);
    assert.deepEqual(found[0].subGroups![0].subGroups!.map((g) => g.path), ['/staff/ops/night']);
    assert.deepEqual(names(await kc.groups.find({ search: 'op', exact: true })), []);
    assert.deepEqual(names(await kc.groups.find({ search: 'ops', exact: true, populateHierarchy: false })), ['ops']);
    assert.deepEqual(names(await kc.groups.find({ q: 'floor:3' })), ['staff']);
    assert.deepEqual(names(await kc.groups.find({ q: 'floor:4' })), []);
    assert.deepEqual(names(await kc.groups.find({ first: 1, max: 1 })), ['staff']);

    assert.deepEqual(await kc.groups.count(), { count: 4 });
    assert.deepEqual(await kc.groups.count({ top: true } as never), { count: 2 });
    assert.deepEqual(await kc.groups.count({ search: 'S' } as never), { count: 3 });

    const children = await kc.groups.listSubGroups({ parentId: ids.staff });
    assert.deepEqual(children.map((g) => [g.name, g.path, g.subGroupCount]), [['ops', '/staff/ops', 1]]);
    assert.deepEqual(await kc.groups.listSubGroups({ parentId: ids.staff, search: 'zzz' }), []);

    const byPath = await kc.realms.getGroupByPath({ realm: REALM, path: 'staff/ops/night' });
    assert.equal(byPath.id, ids.night);
    const raw = await request('GET', `/${REALM}/group-by-path/staff/ops`);
    assert.equal(raw.status, 200);
    assert.equal(raw.body.id, ids.ops);
  });

  it("lists members and a user's groups, joins and leaves, and default groups join new users", async () => {
    await kc.users.addToGroup({ id: ids.alice, groupId: ids.night });
    await kc.users.addToGroup({ id: ids.alice, groupId: ids.night });
    await kc.users.addToGroup({ id: ids.bob, groupId: ids.sales });
    assert.deepEqual(names(await kc.groups.listMembers({ id: ids.night })), ['alice']);
    assert.deepEqual(names(await kc.groups.listMembers({ id: ids.staff })), [], 'members are direct members');
    const brief = (await kc.groups.listMembers({ id: ids.night, briefRepresentation: true } as never))[0];
    assert.deepEqual(Object.keys(brief).sort(), ['createdTimestamp', 'emailVerified', 'enabled', 'id', 'username']);
    const groups = await kc.users.listGroups({ id: ids.alice });
    assert.deepEqual(groups.map((g) => [g.name, g.path, g.parentId]), [['night', '/staff/ops/night', ids.ops]]);
    assert.equal(groups[0].attributes, undefined);
    assert.deepEqual(await kc.users.countGroups({ id: ids.alice }), { count: 1 });
    assert.deepEqual(await kc.users.listGroups({ id: ids.alice, search: 'zzz' } as never), []);

    await kc.users.delFromGroup({ id: ids.bob, groupId: ids.sales });
    await kc.users.delFromGroup({ id: ids.bob, groupId: ids.sales });
    assert.deepEqual(await kc.groups.listMembers({ id: ids.sales }), []);

    await kc.realms.addDefaultGroup({ realm: REALM, id: ids.sales });
    assert.deepEqual(
      (await kc.realms.getDefaultGroups({ realm: REALM })).map((g) => g.path),
      ['/sales'],
    );
    const dora = await createUser('dora');
    assert.deepEqual(names(await kc.users.listGroups({ id: dora })), ['sales']);
    await kc.realms.removeDefaultGroup({ realm: REALM, id: ids.sales });
    assert.deepEqual(await kc.realms.getDefaultGroups({ realm: REALM }), []);
    assert.deepEqual(await kc.users.listGroups({ id: await createUser('eve') }), []);
  });

  it('roles mapped to a group and its parents reach tokens and the composite views', async () => {
    const staffRole = (await kc.roles.findOneByName({ name: 'staff-role' }))!;
    const reader = (await kc.clients.findRole({ id: appId, roleName: 'reader' }))!;
    await kc.groups.addRealmRoleMappings({ id: ids.staff, roles: [{ id: staffRole.id!, name: 'staff-role' }] });
    await kc.groups.addClientRoleMappings({ id: ids.ops, clientUniqueId: appId, roles: [{ id: reader.id!, name: 'reader' }] });

    // alice is in /staff/ops/night only: she gets the roles of both groups above it.
    const aliceToken = await tokenClaims('alice');
    assert.ok(aliceToken.realm_access.roles.includes('staff-role'));
    assert.deepEqual(aliceToken.resource_access.app, { roles: ['reader'] });
    assert.equal((await tokenClaims('bob')).realm_access.roles.includes('staff-role'), false);

    assert.ok(names(await kc.users.listCompositeRealmRoleMappings({ id: ids.alice })).includes('staff-role'));
    assert.equal(names(await kc.users.listRealmRoleMappings({ id: ids.alice })).includes('staff-role'), false);
    assert.deepEqual(names(await kc.users.listCompositeClientRoleMappings({ id: ids.alice, clientUniqueId: appId })), ['reader']);
    assert.deepEqual(names(await kc.groups.listCompositeRealmRoleMappings({ id: ids.night })).includes('staff-role'), true);
    assert.deepEqual(await kc.groups.listRealmRoleMappings({ id: ids.night }), []);
    assert.deepEqual(names(await kc.groups.listCompositeClientRoleMappings({ id: ids.night, clientUniqueId: appId })), ['reader']);
    assert.deepEqual(names((await kc.groups.listRoleMappings({ id: ids.staff })).realmMappings!), ['staff-role']);
    assert.deepEqual(names(await kc.groups.listAvailableClientRoleMappings({ id: ids.ops, clientUniqueId: appId })), []);
    const staff = (await kc.groups.findOne({ id: ids.staff }))!;
    assert.deepEqual([staff.realmRoles, staff.clientRoles], [['staff-role'], {}]);
    assert.deepEqual((await kc.groups.findOne({ id: ids.ops }))!.clientRoles, { app: ['reader'] });

    // Keycloak's /roles/{name}/users lists direct mappings only; the groups carrying it are listed apart.
    assert.deepEqual(await kc.roles.findUsersWithRole({ name: 'staff-role' }), []);
    assert.deepEqual(names((await request('GET', `/${REALM}/roles/staff-role/groups`)).body), ['staff']);

    // Changes reach the next token: the cached user is dropped when the group or membership changes.
    await kc.groups.delRealmRoleMappings({ id: ids.staff, roles: [{ id: staffRole.id!, name: 'staff-role' }] });
    assert.equal((await tokenClaims('alice')).realm_access.roles.includes('staff-role'), false);
    await kc.users.delFromGroup({ id: ids.alice, groupId: ids.night });
    assert.equal((await tokenClaims('alice')).resource_access?.app, undefined);
    await kc.users.addToGroup({ id: ids.alice, groupId: ids.night });
    assert.deepEqual((await tokenClaims('alice')).resource_access.app, { roles: ['reader'] });
  });

  it('renames and moves groups, refusing duplicates and cycles, and deletes a group with its subgroups', async () => {
    const ops = (await kc.groups.findOne({ id: ids.ops }))!;
    await kc.groups.update({ id: ids.ops }, { ...ops, name: 'operations' });
    assert.equal((await kc.groups.findOne({ id: ids.night }))!.path, '/staff/operations/night');
    // GET → PUT of a representation read from the API is accepted unchanged.
    const renamed = (await kc.groups.findOne({ id: ids.ops }))!;
    await kc.groups.update({ id: ids.ops }, renamed);
    assert.deepEqual(await kc.groups.findOne({ id: ids.ops }), renamed);

    const expect = async (call: Promise<unknown>, status: number, body: unknown) => {
      const result = await failure(call);
      assert.deepEqual([result.status, result.body], [status, body]);
    };
    await expect(kc.groups.create({ name: 'staff' }), 409, { errorMessage: "Top level group named 'staff' already exists." });
    await expect(kc.groups.createChildGroup({ id: ids.staff }, { name: 'operations' }), 409, { errorMessage: "Sibling group named 'operations' already exists." });
    await expect(kc.groups.update({ id: ids.sales }, { name: 'staff' }), 409, { errorMessage: "Sibling group named 'staff' already exists." });
    await expect(kc.groups.updateChildGroup({ id: ids.night }, { id: ids.staff, name: 'staff' }), 400, {
      errorMessage: "Cannot move group 'staff' under itself or one of its subgroups",
    });
    await expect(kc.groups.updateChildGroup({ id: ids.staff }, { id: ids.staff, name: 'staff' }), 400, {
      errorMessage: "Cannot move group 'staff' under itself or one of its subgroups",
    });
    await kc.groups.createChildGroup({ id: ids.sales }, { name: 'night' });
    await expect(kc.groups.updateChildGroup({ id: ids.sales }, { id: ids.night, name: 'night' }), 409, { errorMessage: "Sibling group named 'night' already exists." });

    await kc.groups.updateRoot({ id: ids.night, name: 'night' });
    assert.deepEqual([(await kc.groups.findOne({ id: ids.night }))!.path, (await kc.groups.findOne({ id: ids.night }))!.parentId], ['/night', undefined]);
    await kc.groups.updateChildGroup({ id: ids.staff }, { id: ids.night, name: 'night' });
    assert.equal((await kc.groups.findOne({ id: ids.night }))!.path, '/staff/night');
    // alice is still in night, now under staff only: the reader role from ops is gone.
    assert.equal((await tokenClaims('alice')).resource_access?.app, undefined);

    await kc.groups.del({ id: ids.staff });
    for (const id of [ids.staff, ids.ops, ids.night]) assert.equal(await kc.groups.findOne({ id }), null);
    assert.deepEqual(await kc.users.listGroups({ id: ids.alice }), []);
    assert.deepEqual(names(await kc.groups.find()), ['sales']);
  });

  it("answers bad input with Keycloak's status and body and writes nothing", async () => {
    const { id: sales } = (await kc.groups.find({ search: 'sales', exact: true, populateHierarchy: false }))[0] as { id: string };
    const before = await snapshot();
    const cases: Array<[string, string, unknown, number, unknown]> = [
      ['POST', '/groups', {}, 400, { errorMessage: 'Group name is missing' }],
      ['POST', '/groups', { name: '   ' }, 400, { errorMessage: 'Group name is missing' }],
      ['POST', '/groups', { name: 5 }, 400, { field: 'name', errorMessage: 'name: expected a string', params: [] }],
      ['POST', '/groups', { name: 'x'.repeat(256) }, 400, { field: 'name', errorMessage: 'name: longer than 255 characters', params: [] }],
      ['POST', '/groups', { name: 'typo', attributes: { a: [1] } }, 400, { field: 'attributes.a[0]', errorMessage: 'attributes.a[0]: expected a string', params: [] }],
      ['POST', '/groups', { name: 'typo', subGroups: 'x' }, 400, { field: 'subGroups', errorMessage: 'subGroups: expected an array', params: [] }],
      ['POST', '/groups', ['not', 'an', 'object'], 400, { errorMessage: 'expected an object' }],
      ['POST', '/groups', '{"name": ', 400, { error: 'invalid_request', error_description: 'Cannot parse the JSON', errorMessage: 'Cannot parse the JSON' }],
      ['POST', '/groups', { name: 'typo', realmRoles: ['staff-role'] }, 400, { field: 'realmRoles', errorMessage: 'realmRoles: roles are mapped to a group through /groups/{id}/role-mappings', params: [] }],
      ['POST', '/groups', { name: 'typo', subGroups: [{ name: 'y' }] }, 400, { field: 'subGroups', errorMessage: 'subGroups: subgroups are created through /groups/{id}/children', params: [] }],
      ['POST', '/groups', { name: 'typo', parentId: sales }, 400, { field: 'parentId', errorMessage: 'parentId: a group is moved through POST /groups/{parentId}/children', params: [] }],
      ['POST', '/groups', { id: 'no-such-group', name: 'x' }, 404, { error: 'Could not find child by id' }],
      ['POST', `/groups/${sales}/children`, { id: 'no-such-group', name: 'x' }, 404, { error: 'Could not find child by id' }],
      ['POST', '/groups/no-such-group/children', { name: 'x' }, 404, { error: 'Could not find group by id' }],
      ['GET', '/groups/no-such-group', undefined, 404, { error: 'Could not find group by id' }],
      ['PUT', `/groups/${sales}`, { id: 'other', name: 'sales' }, 400, { errorMessage: 'Invalid group id' }],
      ['PUT', `/groups/${sales}`, { name: '' }, 400, { errorMessage: 'Group name is missing' }],
      ['DELETE', '/groups/no-such-group', undefined, 404, { error: 'Could not find group by id' }],
      ['GET', '/groups?q=broken', undefined, 400, { field: 'q', errorMessage: 'q: expected key:value pairs separated by spaces', params: [] }],
      ['GET', '/groups?first=x', undefined, 400, { field: 'first', errorMessage: 'first: expected an integer', params: [] }],
      ['GET', '/groups?briefRepresentation=maybe', undefined, 400, { field: 'briefRepresentation', errorMessage: 'briefRepresentation: expected true or false', params: [] }],
      ['PUT', `/users/${ids.alice}/groups/no-such-group`, undefined, 404, { error: 'Group not found' }],
      ['PUT', `/users/no-such-user/groups/${sales}`, undefined, 404, { error: 'User not found' }],
      ['GET', '/group-by-path/no/such/path', undefined, 404, { error: 'Group path does not exist' }],
      ['PUT', '/default-groups/no-such-group', undefined, 404, { error: 'Group not found' }],
      ['POST', `/groups/${sales}/role-mappings/realm`, [{ name: 'no-such-role' }], 404, { error: 'Role not found' }],
      ['POST', `/groups/${sales}/role-mappings/realm`, { name: 'staff-role' }, 400, { errorMessage: 'expected an array' }],
      ['GET', '/groups/no-such-group/role-mappings', undefined, 404, { error: 'Could not find group by id' }],
    ];
    for (const [method, path, body, status, expected] of cases) {
      const response = await request(method, `/${REALM}${path}`, body);
      assert.deepEqual([response.status, response.body], [status, expected], `${method} ${path} ${JSON.stringify(body)}`);
    }
    assert.equal(await snapshot(), before);
  });

  describe('admin power through groups', () => {
    let realmAdminRole: { id: string; name: string };
    let management: string;

    async function withManagementRoles(username: string, roles: string[]): Promise<KcAdminClient> {
      const id = await createUser(username);
      const available = (await kc.clients.listRoles({ id: management })).filter((r) => roles.includes(r.name!));
      await kc.users.addClientRoleMappings({ id, clientUniqueId: management, roles: available.map((r) => ({ id: r.id!, name: r.name! })) });
      return adminClient(server.url, { realm: REALM, username, password: `${username}-pw` });
    }
    const expectForbidden = async (call: Promise<unknown>, what: string) => {
      const result = await failure(call);
      assert.deepEqual([result.status, result.body], [FORBIDDEN.status, FORBIDDEN.body], what);
    };

    before(async () => {
      management = (await kc.clients.find({ clientId: 'realm-management' }))[0].id!;
      const role = (await kc.clients.findRole({ id: management, roleName: 'realm-admin' }))!;
      realmAdminRole = { id: role.id!, name: role.name! };
      ({ id: ids.admins } = await kc.groups.create({ name: 'admins' }));
      ({ id: ids.deputies } = await kc.groups.createChildGroup({ id: ids.admins }, { name: 'deputies' }));
      await kc.groups.addClientRoleMappings({ id: ids.admins, clientUniqueId: management, roles: [realmAdminRole] });
      await createUser('boss');
      await kc.users.addToGroup({ id: ids.boss, groupId: ids.deputies });
    });

    it('a manage-users holder cannot put anyone into, or build, a group that confers realm-admin', async () => {
      const um = await withManagementRoles('user-manager', ['manage-users']);
      const rm = await withManagementRoles('realm-manager', ['manage-users', 'manage-realm']);
      const { id: sneaky } = await um.groups.create({ name: 'sneaky' });
      const before = await snapshot();

      await expectForbidden(um.users.addToGroup({ id: ids['user-manager'], groupId: ids.admins }), 'join admins');
      await expectForbidden(um.users.addToGroup({ id: ids['user-manager'], groupId: ids.deputies }), 'join a subgroup of admins');
      await expectForbidden(um.users.addToGroup({ id: ids.bob, groupId: ids.admins }), 'put bob into admins');
      await expectForbidden(um.groups.addClientRoleMappings({ id: sneaky, clientUniqueId: management, roles: [realmAdminRole] }), 'map realm-admin to a group');
      await expectForbidden(um.groups.updateChildGroup({ id: ids.admins }, { id: sneaky, name: 'sneaky' }), 'move a group under admins');
      await expectForbidden(um.users.delFromGroup({ id: ids.boss, groupId: ids.deputies }), 'take an admin out of the group');
      await expectForbidden(um.groups.del({ id: ids.admins }), 'delete admins');
      await expectForbidden(um.groups.delClientRoleMappings({ id: ids.admins, clientUniqueId: management, roles: [realmAdminRole] }), 'strip admins');
      await expectForbidden(um.users.resetPassword({ id: ids.boss, credential: { type: 'password', value: 'taken-over', temporary: false } }), 'reset a group admin password');
      await expectForbidden(um.users.update({ id: ids.boss }, { enabled: false }), 'disable a group admin');
      await expectForbidden(um.realms.addDefaultGroup({ realm: REALM, id: ids.admins }), 'default group without manage-realm');
      await expectForbidden(rm.realms.addDefaultGroup({ realm: REALM, id: ids.deputies }), 'default group conferring realm-admin');
      assert.equal(await snapshot(), before, 'groups and memberships unchanged');
      assert.equal((await tokenClaims('boss')).resource_access['realm-management'].roles.includes('realm-admin'), true);

      // Ordinary group work still works for the user manager.
      await um.users.addToGroup({ id: ids.bob, groupId: sneaky });
      await um.groups.del({ id: sneaky });
    });

    it('a realm-admin through a group can administer, and cannot once out of it', async () => {
      const boss = await adminClient(server.url, { realm: REALM, username: 'boss', password: 'boss-pw' });
      await boss.users.create({ username: 'hired-by-boss', enabled: true });
      assert.ok((await boss.clients.find()).length > 0);
      // The group admin holds realm-admin, so may grant what it confers, through groups too.
      await boss.users.addToGroup({ id: ids.bob, groupId: ids.admins });
      await boss.users.delFromGroup({ id: ids.bob, groupId: ids.admins });

      await kc.users.delFromGroup({ id: ids.boss, groupId: ids.deputies });
      const former = await adminClient(server.url, { realm: REALM, username: 'boss', password: 'boss-pw' });
      await expectForbidden(former.users.find(), 'former admin lists users');
    });
  });
});
