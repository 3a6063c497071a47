/**
 * Users, realm roles and role mappings through @keycloak/keycloak-admin-client 26 against a
 * real listening holdfast: find/count filters and paging, create with credentials, partial
 * updates and GET → PUT round trips, Keycloak's 409 and 400 bodies, reset-password, and the
 * role mappings that matter for tokens (offline_access, realm-management).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { UnmanagedAttributePolicy } from '@keycloak/keycloak-admin-client/lib/defs/userProfileMetadata.js';
import { adminClient, failure, startAdminServer, tokenFor, type AdminServer } from './admin-support.ts';

describe('admin API: users, roles and role mappings', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let aliceId: string;
  const login = (username: string, password: string, scope = 'openid') =>
    tokenFor(server.url, 'people', { grant_type: 'password', client_id: 'app', client_secret: 'app-secret', username, password, scope });

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'people', enabled: true });
    kc = await adminClient(server.url, {}, 'people');
    // The users here carry attributes the default profile does not declare (user-profile.test.ts covers the profile).
    await kc.users.updateProfile({ ...(await kc.users.getProfile()), unmanagedAttributePolicy: UnmanagedAttributePolicy.Enabled });
    await kc.clients.create({ clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true });
    ({ id: aliceId } = await kc.users.create({
      username: 'Alice',
      email: 'Alice@Example.com',
      firstName: 'Alice',
      lastName: 'Liddell',
      enabled: true,
      attributes: { team: ['red'] },
      credentials: [{ type: 'password', value: 'alice-pw', temporary: false }],
    }));
    for (const [username, first] of [
      ['bob', 'Bob'],
      ['carol', 'Carol'],
      ['dave', 'Alicia'],
    ]) {
      await kc.users.create({ username, firstName: first, email: `${username}@example.com`, enabled: true });
    }
  });
  after(() => server.close());

  it('stores what create sent, lower-casing username and email, and the password works', async () => {
    const alice = (await kc.users.findOne({ id: aliceId }))!;
    assert.equal(alice.username, 'alice');
    assert.equal(alice.email, 'alice@example.com');
    assert.equal(alice.enabled, true);
    assert.deepEqual(alice.attributes, { team: ['red'] });
    assert.ok(alice.createdTimestamp! > 0);
    assert.equal((await login('alice', 'alice-pw')).status, 200);
  });

  it('joins the groups a created user names by path, and refuses an unknown path without creating the user', async () => {
    const { id: teamId } = await kc.groups.create({ name: 'team' });
    await kc.groups.createChildGroup({ id: teamId }, { name: 'red' });
    const { id } = await kc.users.create({ username: 'joiner', enabled: true, groups: ['/team/red', 'team'] });
    assert.deepEqual((await kc.users.listGroups({ id })).map((g) => g.path).sort(), ['/team', '/team/red']);
    const unknown = await failure(kc.users.create({ username: 'lost', enabled: true, groups: ['/nope'] }));
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.body), /Group \/nope not found/);
    assert.deepEqual(await kc.users.find({ username: 'lost', exact: true }), []);
    // The other tests count this suite's users.
    await kc.users.del({ id });
  });

  it('finds users by search, field, exact match and page, and counts them', async () => {
    const names = (users: Array<{ username?: string }>) => users.map((u) => u.username);
    assert.deepEqual(names(await kc.users.find({ search: 'ali' })), ['alice', 'dave']);
    assert.deepEqual(names(await kc.users.find({ search: '"bob"' })), ['bob']);
    // Keycloak's search terms are prefixes unless `*` says otherwise.
    assert.deepEqual(names(await kc.users.find({ search: 'example.com' })), []);
    assert.deepEqual(names(await kc.users.find({ search: '*example.com', first: 1, max: 2 })), ['bob', 'carol']);
    assert.deepEqual(names(await kc.users.find({ username: 'a' })), ['alice', 'carol', 'dave']);
    assert.deepEqual(names(await kc.users.find({ username: 'a', exact: true })), []);
    assert.deepEqual(names(await kc.users.find({ email: 'carol@example.com', exact: true })), ['carol']);
    assert.deepEqual(names(await kc.users.find({ firstName: 'ALI' })), ['alice', 'dave']);
    assert.equal((await kc.users.find({ briefRepresentation: true, username: 'alice', exact: true }))[0].attributes, undefined);
    assert.equal(await kc.users.count(), 4);
    assert.equal(await kc.users.count({ search: 'ali' }), 2);
    assert.equal(await kc.users.count({ email: 'bob@example.com' }), 1);
  });

  it('updates partially and round-trips GET → PUT', async () => {
    await kc.users.update({ id: aliceId }, { firstName: 'Alicia', attributes: { team: ['blue'], floor: ['3'] }, requiredActions: ['VERIFY_EMAIL'] });
    const updated = (await kc.users.findOne({ id: aliceId }))!;
    assert.equal(updated.firstName, 'Alicia');
    assert.equal(updated.lastName, 'Liddell');
    assert.equal(updated.email, 'alice@example.com');
    assert.deepEqual(updated.attributes, { team: ['blue'], floor: ['3'] });
    assert.deepEqual(updated.requiredActions, ['VERIFY_EMAIL']);
    await kc.users.update({ id: aliceId }, { ...updated, requiredActions: [] });
    assert.deepEqual(await kc.users.findOne({ id: aliceId }), { ...updated, requiredActions: [] });
  });

  it("answers Keycloak's 409 for taken usernames and emails, and 400 for profile errors", async () => {
    const taken = await failure(kc.users.create({ username: 'BOB', enabled: true }));
    assert.equal(taken.status, 409);
    assert.deepEqual(taken.body, { errorMessage: 'User exists with same username' });
    const email = await failure(kc.users.create({ username: 'bobby', email: 'bob@example.com' }));
    assert.deepEqual([email.status, email.body], [409, { errorMessage: 'User exists with same email' }]);
    // Usernames are read-only unless the realm has editUsernameAllowed.
    const rename = await failure(kc.users.update({ id: aliceId }, { username: 'carol' }));
    assert.deepEqual([rename.status, rename.body], [400, { field: 'username', errorMessage: 'error-user-attribute-read-only', params: ['username'] }]);
    await kc.realms.update({ realm: 'people' }, { editUsernameAllowed: true });
    assert.equal((await failure(kc.users.update({ id: aliceId }, { username: 'carol' }))).status, 409);
    await kc.realms.update({ realm: 'people' }, { editUsernameAllowed: false });
    const short = await failure(kc.users.create({ username: 'ab' }));
    assert.deepEqual([short.status, short.body], [400, { field: 'username', errorMessage: 'error-invalid-length', params: ['username', 3, 255] }]);
    const missing = await failure(kc.users.create({ email: 'x@example.com' }));
    assert.deepEqual([missing.status, missing.body], [400, { errorMessage: 'User name is missing' }]);
    const badEmail = await failure(kc.users.create({ username: 'erin', email: 'not-an-email' }));
    assert.equal(badEmail.status, 400);
    assert.equal(badEmail.body.field, 'email');
    assert.equal(await kc.users.count(), 4);
  });

  it('resets passwords, temporary ones requiring an update', async () => {
    const bob = (await kc.users.find({ username: 'bob', exact: true }))[0];
    await kc.users.resetPassword({ id: bob.id!, credential: { type: 'password', value: 'bob-pw', temporary: false } });
    assert.equal((await login('bob', 'bob-pw')).status, 200);
    await kc.users.resetPassword({ id: bob.id!, credential: { type: 'password', value: 'bob-pw-2', temporary: true } });
    assert.deepEqual((await kc.users.findOne({ id: bob.id! }))?.requiredActions, ['UPDATE_PASSWORD']);
    const pending = await login('bob', 'bob-pw-2');
    assert.deepEqual([pending.status, pending.body.error_description], [400, 'Account is not fully set up']);
    assert.equal((await login('bob', 'bob-pw')).status, 401);
    const empty = await failure(kc.users.resetPassword({ id: bob.id!, credential: { type: 'password' } }));
    assert.deepEqual([empty.status, empty.body], [400, { error: 'No password provided' }]);
  });

  it('manages realm roles by name and by id, with composites and their users', async () => {
    const { roleName } = await kc.roles.create({ name: 'auditor', description: 'Reads logs', attributes: { level: ['2'] } });
    assert.equal(roleName, 'auditor');
    await kc.roles.create({ name: 'reader' });
    assert.equal((await failure(kc.roles.create({ name: 'auditor' }))).status, 409);
    const auditor = (await kc.roles.findOneByName({ name: 'auditor' }))!;
    assert.deepEqual([auditor.description, auditor.attributes, auditor.clientRole], ['Reads logs', { level: ['2'] }, false]);
    assert.deepEqual((await kc.roles.find({ search: 'aud' })).map((r) => r.name), ['auditor']);
    await kc.roles.updateByName({ name: 'auditor' }, { name: 'auditor', description: 'Reads all logs' });
    assert.equal((await kc.roles.findOneById({ id: auditor.id! }))?.description, 'Reads all logs');

    const reader = (await kc.roles.findOneByName({ name: 'reader' }))!;
    await kc.roles.createComposite({ roleId: auditor.id! }, [reader]);
    assert.deepEqual((await kc.roles.getCompositeRoles({ id: auditor.id! })).map((r) => r.name), ['reader']);
    assert.equal((await kc.roles.findOneById({ id: auditor.id! }))?.composite, true);
    await kc.roles.delCompositeRoles({ id: auditor.id! }, [reader]);
    assert.deepEqual(await kc.roles.getCompositeRoles({ id: auditor.id! }), []);

    await kc.users.addRealmRoleMappings({ id: aliceId, roles: [{ id: auditor.id!, name: 'auditor' }] });
    assert.deepEqual((await kc.roles.findUsersWithRole({ name: 'auditor' }))!.map((u) => u.username), ['alice']);
    await kc.roles.delByName({ name: 'reader' });
    assert.equal(await kc.roles.findOneByName({ name: 'reader' }), null);
    const defaultRole = await failure(kc.roles.delByName({ name: 'default-roles-people' }));
    assert.equal(defaultRole.status, 400);
  });

  it('maps realm roles: offline_access decides whether offline tokens are allowed', async () => {
    const carol = (await kc.users.find({ username: 'carol', exact: true }))[0];
    await kc.users.resetPassword({ id: carol.id!, credential: { type: 'password', value: 'carol-pw' } });
    assert.deepEqual((await kc.users.listRealmRoleMappings({ id: carol.id! })).map((r) => r.name), ['default-roles-people']);
    assert.ok((await kc.users.listCompositeRealmRoleMappings({ id: carol.id! })).some((r) => r.name === 'offline_access'));

    const defaultRole = (await kc.roles.findOneByName({ name: 'default-roles-people' }))!;
    await kc.users.delRealmRoleMappings({ id: carol.id!, roles: [{ id: defaultRole.id!, name: defaultRole.name! }] });
    assert.equal((await login('carol', 'carol-pw', 'openid offline_access')).body.error, 'not_allowed');
    assert.ok((await kc.users.listAvailableRealmRoleMappings({ id: carol.id! })).some((r) => r.name === 'offline_access'));

    const offline = (await kc.roles.findOneByName({ name: 'offline_access' }))!;
    await kc.users.addRealmRoleMappings({ id: carol.id!, roles: [{ id: offline.id!, name: 'offline_access' }] });
    const granted = await login('carol', 'carol-pw', 'openid offline_access');
    assert.equal(granted.status, 200);
    const mappings = await kc.users.listRoleMappings({ id: carol.id! });
    assert.deepEqual(mappings.realmMappings?.map((r) => r.name), ['offline_access']);
    const unknown = await failure(kc.users.addRealmRoleMappings({ id: carol.id!, roles: [{ id: 'nope', name: 'nope' }] }));
    assert.deepEqual([unknown.status, unknown.body], [404, { error: 'Role not found' }]);
  });

  it('maps realm-management client roles, which then authorise admin calls', async () => {
    const dave = (await kc.users.find({ username: 'dave', exact: true }))[0];
    await kc.users.resetPassword({ id: dave.id!, credential: { type: 'password', value: 'dave-pw' } });
    const management = (await kc.clients.find({ clientId: 'realm-management' }))[0];
    const viewUsers = (await kc.clients.findRole({ id: management.id!, roleName: 'view-users' }))!;
    await kc.users.addClientRoleMappings({ id: dave.id!, clientUniqueId: management.id!, roles: [{ id: viewUsers.id!, name: 'view-users' }] });
    assert.deepEqual((await kc.users.listClientRoleMappings({ id: dave.id!, clientUniqueId: management.id! })).map((r) => r.name), ['view-users']);
    assert.ok((await kc.users.listAvailableClientRoleMappings({ id: dave.id!, clientUniqueId: management.id! })).some((r) => r.name === 'manage-users'));
    assert.deepEqual((await kc.users.listRoleMappings({ id: dave.id! })).clientMappings?.['realm-management']?.mappings?.map((r: { name: string }) => r.name), ['view-users']);

    const daveAdmin = await adminClient(server.url, { realm: 'people', username: 'dave', password: 'dave-pw' });
    assert.equal(await daveAdmin.users.count(), 4);
    assert.equal((await failure(daveAdmin.users.create({ username: 'mallory', enabled: true }))).status, 403);

    await kc.users.delClientRoleMappings({ id: dave.id!, clientUniqueId: management.id!, roles: [{ id: viewUsers.id!, name: 'view-users' }] });
    assert.deepEqual(await kc.users.listClientRoleMappings({ id: dave.id!, clientUniqueId: management.id! }), []);
  });

  it('deletes users', async () => {
    const erin = await kc.users.create({ username: 'erin', enabled: true });
    await kc.users.del({ id: erin.id });
    assert.equal(await kc.users.findOne({ id: erin.id }), null);
    const gone = await failure(kc.users.update({ id: erin.id }, { firstName: 'x' }));
    assert.deepEqual([gone.status, gone.body], [404, { error: 'User not found' }]);
  });
});
