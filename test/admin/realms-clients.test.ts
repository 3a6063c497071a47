/**
 * Realms and clients through @keycloak/keycloak-admin-client 26 against a real listening
 * holdfast: list, create, read, update (every session, token and brute-force setting), delete,
 * GET → PUT round trips, client secrets, service accounts and client roles.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, failure, startAdminServer, tokenFor, type AdminServer } from './admin-support.ts';

const SETTINGS = {
  accessTokenLifespan: 120,
  accessTokenLifespanForImplicitFlow: 600,
  accessCodeLifespan: 30,
  accessCodeLifespanUserAction: 240,
  accessCodeLifespanLogin: 900,
  ssoSessionIdleTimeout: 600,
  ssoSessionMaxLifespan: 7200,
  ssoSessionIdleTimeoutRememberMe: 1200,
  ssoSessionMaxLifespanRememberMe: 14400,
  offlineSessionIdleTimeout: 86400,
  offlineSessionMaxLifespanEnabled: true,
  offlineSessionMaxLifespan: 172800,
  clientSessionIdleTimeout: 300,
  clientSessionMaxLifespan: 3600,
  clientOfflineSessionIdleTimeout: 3000,
  clientOfflineSessionMaxLifespan: 30000,
  revokeRefreshToken: true,
  refreshTokenMaxReuse: 2,
  rememberMe: true,
  bruteForceProtected: true,
  permanentLockout: true,
  maxTemporaryLockouts: 3,
  bruteForceStrategy: 'LINEAR' as const,
  failureFactor: 7,
  waitIncrementSeconds: 30,
  maxFailureWaitSeconds: 600,
  minimumQuickLoginWaitSeconds: 45,
  quickLoginCheckMilliSeconds: 500,
  maxDeltaTimeSeconds: 3600,
};

describe('admin API: realms and clients', () => {
  let server: AdminServer;
  let admin: KcAdminClient;

  before(async () => {
    server = await startAdminServer();
    admin = await adminClient(server.url);
  });
  after(() => server.close());

  it('lists realms, full and brief', async () => {
    const realms = await admin.realms.find();
    assert.deepEqual(realms.map((r) => r.realm).sort(), ['demo', 'master']);
    const demo = realms.find((r) => r.realm === 'demo')!;
    assert.equal(demo.accessTokenLifespan, 300);
    assert.equal(demo.defaultRole?.name, 'default-roles-demo');
    const brief = await admin.realms.find({ briefRepresentation: true });
    assert.deepEqual(Object.keys(brief[0]).sort(), ['id', 'realm']);
  });

  it('creates a realm with settings, reads it, updates every session/token/brute-force setting', async () => {
    const created = await admin.realms.create({ realm: 'orders', enabled: true, displayName: 'Orders', accessTokenLifespan: 90 });
    assert.equal(created.realmName, 'orders');
    const fresh = (await admin.realms.findOne({ realm: 'orders' }))!;
    assert.equal(fresh.displayName, 'Orders');
    assert.equal(fresh.accessTokenLifespan, 90);
    assert.equal(fresh.ssoSessionIdleTimeout, 1800);
    assert.equal(fresh.defaultRole?.name, 'default-roles-orders');

    await admin.realms.update({ realm: 'orders' }, SETTINGS);
    const updated = (await admin.realms.findOne({ realm: 'orders' }))!;
    for (const [name, value] of Object.entries(SETTINGS)) assert.equal((updated as Record<string, unknown>)[name], value, name);

    // What GET returns, PUT accepts, and nothing changes.
    await admin.realms.update({ realm: 'orders' }, updated);
    assert.deepEqual(await admin.realms.findOne({ realm: 'orders' }), updated);
  });

  it('answers 409 for a realm that exists and null for one that does not', async () => {
    const conflict = await failure(admin.realms.create({ realm: 'demo' }));
    assert.equal(conflict.status, 409);
    assert.deepEqual(conflict.body, { errorMessage: 'Conflict detected. See logs for details' });
    assert.equal(await admin.realms.findOne({ realm: 'no-such-realm' }), null);
  });

  it('renames and deletes a realm, but never master', async () => {
    await admin.realms.create({ realm: 'scratch', enabled: true });
    await admin.realms.update({ realm: 'scratch' }, { realm: 'scratch2' });
    assert.equal(await admin.realms.findOne({ realm: 'scratch' }), null);
    assert.equal((await admin.realms.findOne({ realm: 'scratch2' }))?.realm, 'scratch2');
    await admin.realms.del({ realm: 'scratch2' });
    assert.equal(await admin.realms.findOne({ realm: 'scratch2' }), null);
    const master = await failure(admin.realms.del({ realm: 'master' }));
    assert.equal(master.status, 400);
  });

  describe('clients', () => {
    let client: KcAdminClient;
    let webId: string;

    before(async () => {
      await admin.realms.create({ realm: 'apps', enabled: true });
      client = await adminClient(server.url, {}, 'apps');
    });

    it('creates a confidential client and finds it by clientId, exactly or by search', async () => {
      ({ id: webId } = await client.clients.create({
        clientId: 'web',
        name: 'Web',
        secret: 'web-secret',
        directAccessGrantsEnabled: true,
        redirectUris: ['https://web.example/*'],
        attributes: { 'access.token.lifespan': '60', 'pkce.code.challenge.method': 'S256' },
      }));
      assert.match(webId, /^[0-9a-f-]{36}$/);
      const exact = await client.clients.find({ clientId: 'web' });
      assert.equal(exact.length, 1);
      assert.equal(exact[0].id, webId);
      assert.equal(exact[0].secret, 'web-secret');
      assert.equal((await client.clients.find({ clientId: 'we' })).length, 0);
      assert.deepEqual((await client.clients.find({ clientId: 'WE', search: true })).map((c) => c.clientId), ['web']);
      const all = await client.clients.find();
      assert.deepEqual(all.map((c) => c.clientId), ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console', 'web']);
      assert.deepEqual((await client.clients.find({ first: 1, max: 2 })).map((c) => c.clientId), ['account-console', 'admin-cli']);
    });

    it('reads, updates partially (attributes merged, "" removes), and round-trips GET → PUT', async () => {
      const before = (await client.clients.findOne({ id: webId }))!;
      assert.equal(before.attributes?.['access.token.lifespan'], '60');
      await client.clients.update({ id: webId }, { description: 'The web app', attributes: { 'access.token.lifespan': '', 'use.refresh.tokens': 'false' } });
      const after = (await client.clients.findOne({ id: webId }))!;
      assert.equal(after.description, 'The web app');
      assert.equal(after.name, 'Web');
      assert.equal(after.attributes?.['access.token.lifespan'], undefined);
      assert.equal(after.attributes?.['use.refresh.tokens'], 'false');
      assert.equal(after.attributes?.['pkce.code.challenge.method'], 'S256');
      await client.clients.update({ id: webId }, after);
      assert.deepEqual(await client.clients.findOne({ id: webId }), after);
    });

    it('refuses a second client with the same clientId (409) and a script URL (400)', async () => {
      const duplicate = await failure(client.clients.create({ clientId: 'web' }));
      assert.equal(duplicate.status, 409);
      assert.deepEqual(duplicate.body, { errorMessage: 'Client web already exists' });
      const script = await failure(client.clients.create({ clientId: 'bad', redirectUris: ['javascript:alert(1)'] }));
      assert.equal(script.status, 400);
    });

    it('shows and regenerates the secret; only the new one works afterwards', async () => {
      assert.deepEqual(await client.clients.getClientSecret({ id: webId }), { type: 'secret', value: 'web-secret' });
      await client.users.create({ username: 'sam', enabled: true, credentials: [{ type: 'password', value: 'sam-pw' }] });
      const login = (secret: string) => tokenFor(server.url, 'apps', { grant_type: 'password', client_id: 'web', client_secret: secret, username: 'sam', password: 'sam-pw' });
      assert.equal((await login('web-secret')).status, 200);
      const regenerated = await client.clients.generateNewClientSecret({ id: webId });
      assert.equal(regenerated.type, 'secret');
      assert.notEqual(regenerated.value, 'web-secret');
      assert.deepEqual(await client.clients.getClientSecret({ id: webId }), regenerated);
      assert.equal((await login('web-secret')).status, 401);
      assert.equal((await login(regenerated.value!)).status, 200);
    });

    it('creates the service-account user with the client, and client_credentials works', async () => {
      const { id } = await client.clients.create({ clientId: 'worker', secret: 'worker-secret', serviceAccountsEnabled: true, standardFlowEnabled: false });
      const account = await client.clients.getServiceAccountUser({ id });
      assert.equal(account.username, 'service-account-worker');
      assert.equal(account.serviceAccountClientId, 'worker');
      const token = await tokenFor(server.url, 'apps', { grant_type: 'client_credentials', client_id: 'worker', client_secret: 'worker-secret' });
      assert.equal(token.status, 200);
      await client.clients.del({ id });
      assert.equal(await client.clients.findOne({ id }), null);
      assert.equal((await client.users.find({ username: 'service-account-worker', exact: true })).length, 0);
    });

    it('manages client roles', async () => {
      const { roleName } = await client.clients.createRole({ id: webId, name: 'editor', description: 'Edits' });
      assert.equal(roleName, 'editor');
      assert.deepEqual((await client.clients.listRoles({ id: webId })).map((r) => r.name), ['editor']);
      const role = (await client.clients.findRole({ id: webId, roleName: 'editor' }))!;
      assert.equal(role.clientRole, true);
      assert.equal(role.containerId, webId);
      await client.clients.updateRole({ id: webId, roleName: 'editor' }, { name: 'editor', description: 'Edits things' });
      assert.equal((await client.clients.findRole({ id: webId, roleName: 'editor' }))?.description, 'Edits things');
      assert.equal((await failure(client.clients.createRole({ id: webId, name: 'editor' }))).status, 409);
      await client.clients.delRole({ id: webId, roleName: 'editor' });
      assert.equal(await client.clients.findRole({ id: webId, roleName: 'editor' }), null);
    });

    it('will not delete realm-management, and deletes other clients', async () => {
      const management = (await client.clients.find({ clientId: 'realm-management' }))[0];
      assert.equal((await failure(client.clients.del({ id: management.id! }))).status, 400);
      await client.clients.del({ id: webId });
      assert.equal(await client.clients.findOne({ id: webId }), null);
      const missing = await failure(client.clients.update({ id: webId }, { description: 'x' }));
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, { error: 'Could not find client' });
    });
  });
});
