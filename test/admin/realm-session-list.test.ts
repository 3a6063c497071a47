/**
 * The admin console's realm-wide sessions list: `ui-ext/sessions` in Keycloak's shape (types,
 * search by username and IP prefix, paging), the total from `ui-ext/sessions/count`, bad
 * parameters refused with the parameter's name, and the roles it needs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, masterToken, startAdminServer, tokenFor, type AdminServer } from './admin-support.ts';

describe('admin API: realm sessions list (ui-ext/sessions)', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let clientUuid: string;
  const ids: Record<string, string> = {};

  const login = (username: string, scope = 'openid') =>
    tokenFor(server.url, 'acme', { grant_type: 'password', client_id: 'portal', client_secret: 'portal-secret', username, password: `${username}-password`, scope });

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'acme', enabled: true });
    kc = await adminClient(server.url, {}, 'acme');
    ({ id: clientUuid } = await kc.clients.create({ clientId: 'portal', secret: 'portal-secret', directAccessGrantsEnabled: true, redirectUris: ['https://portal.example/*'] }));
    for (const username of ['pat', 'robin']) {
      const { id } = await kc.users.create({ username, enabled: true });
      ids[username] = id;
      await kc.users.resetPassword({ id, credential: { type: 'password', value: `${username}-password`, temporary: false } });
    }
    // The offline_access login keeps only its offline session, as Keycloak's password grant does.
    for (const [username, scope] of [['pat', 'openid'], ['pat', 'openid'], ['robin', 'openid'], ['robin', 'openid offline_access']]) assert.equal((await login(username, scope)).status, 200);
    token = await masterToken(server.url);
  });
  after(() => server.close());

  const list = (query: string) => adminRequest(server.url, token, 'GET', `/acme/ui-ext/sessions${query}`);

  it('lists online and offline sessions in Keycloak\'s shape, with totals per type', async () => {
    const all = await list('?first=0&max=10&type=ALL&search=');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.map((s: any) => s.type), ['REGULAR', 'REGULAR', 'REGULAR', 'OFFLINE']);
    const offline = all.body.find((s: any) => s.type === 'OFFLINE');
    assert.deepEqual(Object.keys(offline).sort(), ['clients', 'id', 'ipAddress', 'lastAccess', 'start', 'transientUser', 'type', 'userId', 'username']);
    assert.equal(offline.username, 'robin');
    assert.equal(offline.userId, ids.robin);
    assert.deepEqual(offline.clients, { [clientUuid]: 'portal' });
    assert.ok(offline.start > Date.now() - 60_000 && offline.start <= Date.now(), 'start in epoch milliseconds');
    const online = all.body.filter((s: any) => s.type === 'REGULAR').map((s: any) => s.id);
    assert.deepEqual(online, [...online].sort(), 'in id order');

    assert.deepEqual((await list('?type=OFFLINE')).body.map((s: any) => s.id), [offline.id]);
    assert.equal((await list('?type=REGULAR')).body.length, 3);
    assert.deepEqual((await list('?first=2&max=2')).body.map((s: any) => s.id), [online[2], offline.id]);
    const count = (type: string) => adminRequest(server.url, token, 'GET', `/acme/ui-ext/sessions/count?type=${type}`);
    assert.deepEqual([(await count('ALL')).body, (await count('REGULAR')).body, (await count('OFFLINE')).body], [4, 3, 1]);
  });

  it('searches by username and by IP address prefix on the server', async () => {
    const pat = await list('?search=pa');
    assert.deepEqual([...new Set(pat.body.map((s: any) => s.username))], ['pat']);
    assert.equal(pat.body.length, 2);
    assert.equal((await list('?search=127.0.&type=REGULAR')).body.length, 3, 'loopback logins match by IP prefix');
    assert.deepEqual((await list('?search=nobody-here')).body, []);
  });

  it('refuses a bad type or parameter with a 400 naming it, and needs view-realm', async () => {
    const badType = await list('?type=BOGUS');
    assert.equal(badType.status, 400);
    assert.match(JSON.stringify(badType.body), /type/);
    assert.equal((await list('?first=abc')).status, 400);
    assert.equal((await list('?unknown=1')).status, 400);
    const userToken = (await tokenFor(server.url, 'acme', { grant_type: 'password', client_id: 'portal', client_secret: 'portal-secret', username: 'pat', password: 'pat-password' })).body.access_token;
    assert.equal((await adminRequest(server.url, userToken, 'GET', '/acme/ui-ext/sessions')).status, 403);
    assert.equal((await adminRequest(server.url, userToken, 'GET', '/acme/ui-ext/sessions/count')).status, 403);
  });

  it('signing a session out takes it off the list and the count', async () => {
    const before = (await adminRequest(server.url, token, 'GET', '/acme/ui-ext/sessions/count?type=REGULAR')).body;
    const [first] = (await list('?type=REGULAR&search=robin')).body;
    assert.equal((await adminRequest(server.url, token, 'DELETE', `/acme/sessions/${first.id}`)).status, 204);
    assert.ok(!(await list('?type=REGULAR')).body.some((s: any) => s.id === first.id));
    assert.equal((await adminRequest(server.url, token, 'GET', '/acme/ui-ext/sessions/count?type=REGULAR')).body, before - 1);
  });
});
