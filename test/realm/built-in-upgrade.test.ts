/**
 * The built-in clients and roles of Keycloak 26.7 in every realm: a new realm has them as Keycloak
 * creates them, and a realm an earlier release created (without `account-console`, `broker`,
 * `security-admin-console`, the newer roles and composites) gets them at the next start-up, once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { adminClient, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { tempDir } from '../support/process.ts';

async function builtIns(server: AdminServer, realm: string) {
  const kc = await adminClient(server.url, {}, realm);
  const clients = await kc.clients.find();
  const byClientId = new Map(clients.map((c) => [c.clientId!, c]));
  const roles = async (clientId: string) => (await kc.clients.listRoles({ id: byClientId.get(clientId)!.id! })).map((r) => r.name!).sort();
  return { kc, byClientId, roles };
}

describe('built-in clients and roles', () => {
  let server: AdminServer;
  const dataDir = tempDir('holdfast-built-ins-');

  before(async () => {
    server = await startAdminServer({ dataDir });
  });
  after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a new realm has Keycloak 26.7\'s built-in clients, flags, mappers and roles', async () => {
    const kc = await adminClient(server.url);
    await kc.realms.create({ realm: 'fresh', enabled: true });
    const { byClientId, roles } = await builtIns(server, 'fresh');
    assert.deepEqual([...byClientId.keys()].sort(), ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']);
    const console = byClientId.get('security-admin-console')!;
    assert.equal(console.publicClient, true);
    assert.equal(console.baseUrl, '/admin/fresh/console/');
    assert.deepEqual(console.redirectUris, ['/admin/fresh/console/*']);
    assert.deepEqual(console.webOrigins, ['+']);
    assert.equal(console.attributes?.['pkce.code.challenge.method'], 'S256');
    assert.deepEqual(console.protocolMappers?.map((m) => m.name), ['locale']);
    const accountConsole = byClientId.get('account-console')!;
    assert.equal(accountConsole.fullScopeAllowed, false);
    assert.deepEqual(accountConsole.protocolMappers?.map((m) => m.protocolMapper), ['oidc-audience-resolve-mapper']);
    for (const id of ['account', 'account-console', 'broker', 'realm-management']) assert.equal(byClientId.get(id)!.fullScopeAllowed, false, id);
    for (const c of byClientId.values()) assert.equal(c.frontchannelLogout, false, c.clientId);
    assert.equal(byClientId.get('broker')!.bearerOnly, true);
    assert.deepEqual(await roles('broker'), ['read-token']);
    assert.deepEqual(await roles('account'), ['delete-account', 'manage-account', 'manage-account-links', 'manage-consent', 'view-applications', 'view-consent', 'view-groups', 'view-profile']);
    assert.equal((await roles('realm-management')).length, 22);
    const mapped = await (await builtIns(server, 'fresh')).kc.clients.listClientScopeMappings({ id: accountConsole.id!, client: byClientId.get('account')!.id! });
    assert.deepEqual(mapped.map((r) => r.name).sort(), ['manage-account', 'view-groups']);
    const viewUsers = await (await builtIns(server, 'fresh')).kc.roles.findOneById({ id: (await (await builtIns(server, 'fresh')).kc.clients.findRole({ id: byClientId.get('realm-management')!.id!, roleName: 'view-users' }))!.id! });
    assert.equal(viewUsers?.composite, true);
  });

  it('a realm from an earlier release gets the missing built-ins at the next start, and only once', async () => {
    const kc = await adminClient(server.url);
    await kc.realms.create({ realm: 'older', enabled: true });
    await server.holdfast.close();
    // What an earlier release created: no account-console, broker or security-admin-console, fewer roles, no composites.
    const file = fs.readdirSync(dataDir).find((f) => f.endsWith('.db'))!;
    const db = new Database(`${dataDir}/${file}`);
    const realmId = (db.prepare("SELECT id FROM realm WHERE name = 'older'").get() as { id: string }).id;
    db.prepare("DELETE FROM client WHERE realm_id = ? AND client_id IN ('account-console', 'broker', 'security-admin-console')").run(realmId);
    db.prepare("DELETE FROM role WHERE realm_id = ? AND name IN ('view-groups', 'create-client', 'impersonation', 'read-token')").run(realmId);
    db.prepare("UPDATE role SET composites = '[]' WHERE realm_id = ? AND name IN ('view-users', 'manage-account')").run(realmId);
    db.close();

    server = await startAdminServer({ dataDir });
    const { byClientId, roles } = await builtIns(server, 'older');
    assert.deepEqual([...byClientId.keys()].sort(), ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']);
    assert.ok((await roles('account')).includes('view-groups'));
    assert.ok((await roles('realm-management')).includes('impersonation'));
    const older = await adminClient(server.url, {}, 'older');
    const management = byClientId.get('realm-management')!;
    const realmAdmin = await older.clients.findRole({ id: management.id!, roleName: 'realm-admin' });
    const held = await older.roles.getCompositeRolesForClient({ id: realmAdmin!.id!, clientId: management.id! });
    assert.ok(held.some((r) => r.name === 'impersonation') && held.some((r) => r.name === 'create-client'), 'realm-admin holds the new realm-management roles');
    const viewUsers = await older.clients.findRole({ id: management.id!, roleName: 'view-users' });
    assert.equal(viewUsers?.composite, true);
    const before = (await older.clients.find()).map((c) => c.id).sort();
    await server.close();
    server = await startAdminServer({ dataDir });
    const again = await adminClient(server.url, {}, 'older');
    assert.deepEqual((await again.clients.find()).map((c) => c.id).sort(), before, 'a second start changes nothing');
  });
});
