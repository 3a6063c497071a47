/**
 * Who may call the admin API: 401 without a valid token (missing, forged, of an ended session),
 * 403 without the realm-management role (or master's `admin`), realm-local administrators kept
 * to their realm, service accounts as admins, and no granting oneself an admin role one lacks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';

describe('admin API: authentication and roles', () => {
  let server: AdminServer;
  let master: KcAdminClient;
  let acme: KcAdminClient;

  const userWithRoles = (realm: string, username: string, roles: string[]) => userWithManagementRoles(server.url, realm, username, roles);

  before(async () => {
    server = await startAdminServer();
    master = await adminClient(server.url);
    await master.realms.create({ realm: 'acme', enabled: true });
    acme = await adminClient(server.url, {}, 'acme');
  });
  after(() => server.close());

  it('answers 401 with Keycloak\'s body without a valid bearer token', async () => {
    const missing = await adminRequest(server.url, undefined, 'GET', '');
    assert.deepEqual([missing.status, missing.body], [401, { error: 'HTTP 401 Unauthorized' }]);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await adminRequest(server.url, 'not.a.token', 'GET', '/demo/users')).status, 401);
    const token = await masterToken(server.url);
    const [header, payload, signature] = token.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
    forged.realm_access = { roles: ['admin', 'everything'] };
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    assert.equal((await adminRequest(server.url, tampered, 'GET', '/demo/users')).status, 401);
  });

  it('refuses a token whose session has ended', async () => {
    const token = await masterToken(server.url);
    assert.equal((await adminRequest(server.url, token, 'GET', '/demo/users/count')).status, 200);
    const sid = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;
    await master.realms.deleteSession({ realm: 'master', session: sid, isOffline: false });
    assert.equal((await adminRequest(server.url, token, 'GET', '/demo/users/count')).status, 401);
  });

  it('answers 403 to a master user without admin roles', async () => {
    await userWithRoles('master', 'nobody', []);
    const nobody = await adminClient(server.url, { username: 'nobody', password: 'nobody-pw' });
    const denied = await failure(nobody.realms.find());
    assert.deepEqual([denied.status, denied.body], [403, { error: 'HTTP 403 Forbidden' }]);
    nobody.setConfig({ realmName: 'demo' });
    assert.equal((await failure(nobody.users.find())).status, 403);
  });

  it('keeps a realm administrator to their own realm', async () => {
    await userWithRoles('acme', 'boss', ['realm-admin']);
    const boss = await adminClient(server.url, { realm: 'acme', username: 'boss', password: 'boss-pw' });
    assert.deepEqual((await boss.realms.find()).map((r) => r.realm), ['acme']);
    await boss.users.create({ username: 'worker', enabled: true });
    await boss.clients.create({ clientId: 'tool' });
    await boss.realms.update({ realm: 'acme' }, { accessTokenLifespan: 77 });
    assert.equal((await failure(boss.realms.findOne({ realm: 'demo' }))).status, 403);
    boss.setConfig({ realmName: 'demo' });
    assert.equal((await failure(boss.users.find())).status, 403);
    assert.equal((await failure(boss.realms.create({ realm: 'boss-realm' }))).status, 403);
  });

  it('honours view-users, manage-users, view-clients, manage-clients, view-realm and manage-realm separately', async () => {
    const checks: Array<[string[], (kc: KcAdminClient) => Promise<unknown>, boolean]> = [
      [['view-users'], (kc) => kc.users.find(), true],
      [['view-users'], (kc) => kc.users.create({ username: 'viewer1', enabled: true }), false],
      [['manage-users'], (kc) => kc.users.create({ username: 'member1', enabled: true }), true],
      [['manage-users'], (kc) => kc.clients.find(), false],
      [['view-clients'], (kc) => kc.clients.find(), true],
      [['view-clients'], (kc) => kc.clients.create({ clientId: 'c1' }), false],
      [['manage-clients'], (kc) => kc.clients.create({ clientId: 'c2' }), true],
      [['view-realm'], (kc) => kc.realms.getClientSessionStats({ realm: 'acme' }), true],
      [['view-realm'], (kc) => kc.realms.update({ realm: 'acme' }, { accessTokenLifespan: 99 }), false],
      [['manage-realm'], (kc) => kc.realms.update({ realm: 'acme' }, { accessTokenLifespan: 99 }), true],
      [['manage-realm'], (kc) => kc.users.find(), false],
    ];
    for (const [i, [roles, call, allowed]] of checks.entries()) {
      const username = `limited${i}`;
      await userWithRoles('acme', username, roles);
      const kc = await adminClient(server.url, { realm: 'acme', username, password: `${username}-pw` });
      if (allowed) await call(kc);
      else assert.equal((await failure(call(kc))).status, 403, `${roles} must not allow check ${i}`);
    }
  });

  it('lets a user manager grant ordinary roles but not admin roles they lack', async () => {
    const managerId = await userWithRoles('acme', 'manager', ['manage-users', 'view-users']);
    const manager = await adminClient(server.url, { realm: 'acme', username: 'manager', password: 'manager-pw' });
    const offline = (await acme.roles.findOneByName({ name: 'offline_access' }))!;
    await manager.users.addRealmRoleMappings({ id: managerId, roles: [{ id: offline.id!, name: 'offline_access' }] });
    const management = (await acme.clients.find({ clientId: 'realm-management' }))[0];
    const realmAdmin = (await acme.clients.findRole({ id: management.id!, roleName: 'realm-admin' }))!;
    const escalate = await failure(manager.users.addClientRoleMappings({ id: managerId, clientUniqueId: management.id!, roles: [{ id: realmAdmin.id!, name: 'realm-admin' }] }));
    assert.equal(escalate.status, 403);
    const viewUsers = (await acme.clients.findRole({ id: management.id!, roleName: 'view-users' }))!;
    const workerId = (await acme.users.find({ username: 'worker', exact: true }))[0].id!;
    await manager.users.addClientRoleMappings({ id: workerId, clientUniqueId: management.id!, roles: [{ id: viewUsers.id!, name: 'view-users' }] });
  });

  it('does not let an admin role be smuggled inside a composite', async () => {
    await userWithRoles('acme', 'configurator', ['manage-realm', 'manage-users']);
    const configurator = await adminClient(server.url, { realm: 'acme', username: 'configurator', password: 'configurator-pw' });
    const sneaky = await failure(configurator.roles.create({ name: 'sneaky', composite: true, composites: { client: { 'realm-management': ['realm-admin'] } } }));
    assert.equal(sneaky.status, 403);
    await configurator.roles.create({ name: 'harmless' });
    const harmless = (await acme.roles.findOneByName({ name: 'harmless' }))!;
    const management = (await acme.clients.find({ clientId: 'realm-management' }))[0];
    const realmAdmin = (await acme.clients.findRole({ id: management.id!, roleName: 'realm-admin' }))!;
    assert.equal((await failure(configurator.roles.createComposite({ roleId: harmless.id! }, [realmAdmin]))).status, 403);
    // Made by a real admin, the composite still cannot be handed out by someone lacking realm-admin.
    await acme.roles.createComposite({ roleId: harmless.id! }, [realmAdmin]);
    const configuratorId = (await acme.users.find({ username: 'configurator', exact: true }))[0].id!;
    const mapped = await failure(configurator.users.addRealmRoleMappings({ id: configuratorId, roles: [{ id: harmless.id!, name: 'harmless' }] }));
    assert.equal(mapped.status, 403);
  });

  it('accepts a service account with realm-management roles as an administrator', async () => {
    const { id } = await acme.clients.create({ clientId: 'ops-bot', secret: 'ops-bot-secret', serviceAccountsEnabled: true, standardFlowEnabled: false });
    const account = await acme.clients.getServiceAccountUser({ id });
    const management = (await acme.clients.find({ clientId: 'realm-management' }))[0];
    const viewUsers = (await acme.clients.findRole({ id: management.id!, roleName: 'view-users' }))!;
    await acme.users.addClientRoleMappings({ id: account.id!, clientUniqueId: management.id!, roles: [{ id: viewUsers.id!, name: 'view-users' }] });
    const token = await tokenFor(server.url, 'acme', { grant_type: 'client_credentials', client_id: 'ops-bot', client_secret: 'ops-bot-secret' });
    const count = await adminRequest(server.url, token.body.access_token, 'GET', '/acme/users/count');
    assert.equal(count.status, 200);
    assert.equal(typeof count.body, 'number');
    assert.equal((await adminRequest(server.url, token.body.access_token, 'POST', '/acme/users', { username: 'nope' })).status, 403);
  });

  it('does not let a token of one realm manage another', async () => {
    const demoToken = await tokenFor(server.url, 'demo', { grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password: 'alice' });
    assert.equal((await adminRequest(server.url, demoToken.body.access_token, 'GET', '/master/users')).status, 403);
  });
});
