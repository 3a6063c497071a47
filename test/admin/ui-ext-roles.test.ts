/**
 * `ui-ext/available-roles` and `ui-ext/effective-roles` for users and groups, the client-role
 * listings of Keycloak's Role mapping tab: Keycloak's row shape and order, search by role name
 * or clientId without case, paging with Keycloak's default of 10, 404 for an unknown holder and
 * 403 without view-users.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';

describe('admin API: ui-ext available and effective client roles', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let userId: string;
  let groupId: string;
  let shopUuid: string;
  const get = (path: string) => adminRequest(server.url, token, 'GET', `/roles-ui${path}`);
  const names = (rows: Array<{ client: string; role: string }>) => rows.map((r) => `${r.client}/${r.role}`);

  before(async () => {
    server = await startAdminServer();
    await (await adminClient(server.url)).realms.create({ realm: 'roles-ui', enabled: true });
    kc = await adminClient(server.url, {}, 'roles-ui');
    token = await masterToken(server.url);
    ({ id: shopUuid } = await kc.clients.create({ clientId: 'Shop' }));
    for (const name of ['buy', 'sell', 'audit']) await kc.clients.createRole({ id: shopUuid, name, description: `may ${name}` });
    const role = (name: string) => kc.clients.findRole({ id: shopUuid, roleName: name }) as Promise<{ id: string; name: string }>;
    ({ id: groupId } = await kc.groups.create({ name: 'sellers' }));
    await kc.groups.addClientRoleMappings({ id: groupId, clientUniqueId: shopUuid, roles: [await role('sell')] });
    ({ id: userId } = await kc.users.create({ username: 'trader', enabled: true }));
    await kc.users.addClientRoleMappings({ id: userId, clientUniqueId: shopUuid, roles: [await role('buy')] });
    await kc.users.addToGroup({ id: userId, groupId });
  });
  after(() => server.close());

  it("lists the client roles not mapped directly, in Keycloak's shape, searched by role or client and paged", async () => {
    const shop = await get(`/ui-ext/available-roles/users/${userId}?first=0&max=100&search=SHOP`);
    assert.equal(shop.status, 200);
    // Roles held through the group are still available: only direct mappings are left out.
    assert.deepEqual(names(shop.body), ['Shop/audit', 'Shop/sell']);
    assert.deepEqual(shop.body[0], { id: (await kc.clients.findRole({ id: shopUuid, roleName: 'audit' }))!.id, role: 'audit', client: 'Shop', clientId: shopUuid, description: 'may audit' });
    assert.deepEqual(names((await get(`/ui-ext/available-roles/users/${userId}?search=sel`)).body), ['Shop/sell']);
    const all = (await get(`/ui-ext/available-roles/users/${userId}?first=0&max=1000`)).body;
    const sorted = [...names(all)].sort((a, b) => a.split('/')[0].localeCompare(b.split('/')[0]) || a.split('/')[1].localeCompare(b.split('/')[1]));
    assert.deepEqual(names(all), sorted);
    assert.ok(all.length > 10);
    assert.equal((await get(`/ui-ext/available-roles/users/${userId}`)).body.length, 10, "Keycloak's default page");
    assert.deepEqual((await get(`/ui-ext/available-roles/users/${userId}?first=2&max=3`)).body, all.slice(2, 5));
    assert.deepEqual(names((await get(`/ui-ext/available-roles/groups/${groupId}?search=shop`)).body), ['Shop/audit', 'Shop/buy']);
  });

  it('lists the effective client roles, through groups and composites', async () => {
    const user = await get(`/ui-ext/effective-roles/users/${userId}?first=0&max=100`);
    assert.equal(user.status, 200);
    // buy directly, sell through the group, and account's roles through default-roles-roles-ui.
    assert.deepEqual(names(user.body.filter((r: { client: string }) => r.client === 'Shop')), ['Shop/buy', 'Shop/sell']);
    assert.ok(names(user.body).includes('account/view-profile'));
    assert.deepEqual(names((await get(`/ui-ext/effective-roles/groups/${groupId}?first=0&max=100`)).body), ['Shop/sell']);
  });

  it('answers 404 for an unknown user or group and 403 without view-users', async () => {
    const user = await get('/ui-ext/available-roles/users/no-such-user');
    assert.equal(user.status, 404);
    assert.deepEqual(user.body, { error: 'User not found' });
    assert.equal((await get('/ui-ext/effective-roles/groups/no-such-group')).status, 404);
    await userWithManagementRoles(server.url, 'roles-ui', 'client-viewer', ['view-clients']);
    const { body } = await tokenFor(server.url, 'roles-ui', { grant_type: 'password', client_id: 'admin-cli', username: 'client-viewer', password: 'client-viewer-pw' });
    const refused = await adminRequest(server.url, body.access_token, 'GET', `/roles-ui/ui-ext/effective-roles/users/${userId}`);
    assert.equal(refused.status, 403);
  });
});
