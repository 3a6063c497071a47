/**
 * Realm endpoints of issue #12.10 through @keycloak/keycloak-admin-client 26 against a real
 * listening holdfast, on SQLite and on PostgreSQL (a throwaway database): client initial access
 * tokens (shown once, stored hashed, listed, deleted), localization texts (per locale, single
 * texts as text/plain, realm file import and export), push-revocation and `notBefore`,
 * users-management-permissions and client-registration-policy answered as Keycloak 26's default
 * profile answers them, with bad input and least privilege for each.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { sha256Hex } from '../../src/crypto/index.ts';
import { exportRealm } from '../../src/admin/index.ts';
import { adminClient, adminRequest, failure, masterToken, startAdminServerOn, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';

const REALM = 'extras';
const FORBIDDEN = { status: 403, body: { error: 'HTTP 403 Forbidden' } };

for (const dialect of ['sqlite', 'postgres'] as const) describe(`admin API: realm extras (${dialect})`, () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let viewerToken: string;
  const request = (method: string, path: string, body?: unknown, as = token) => adminRequest(server.url, as, method, path, body);
  const text = async (method: string, path: string, body: string, contentType = 'text/plain') => {
    const response = await fetch(`${server.url}/admin/realms/${REALM}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    return { status: response.status, body: await response.text() };
  };

  before(async () => {
    server = await startAdminServerOn(dialect);
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
    await userWithManagementRoles(server.url, REALM, 'viewer', ['view-clients', 'view-users']);
    viewerToken = (await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'admin-cli', username: 'viewer', password: 'viewer-pw' })).body.access_token;
  });
  after(async () => {
    await server.close();
  });

  it('issues client initial access tokens once, keeps only their hash, lists and deletes them', async () => {
    const created = await kc.realms.createClientsInitialAccess({ realm: REALM }, { expiration: 3600, count: 2 });
    assert.deepEqual(Object.keys(created), ['id', 'token', 'timestamp', 'expiration', 'count', 'remainingCount']);
    assert.deepEqual([created.expiration, created.count, created.remainingCount], [3600, 2, 2]);
    const stored = await server.holdfast.ctx.realms.repository.listClientInitialAccess((await server.holdfast.ctx.realms.getRealm(REALM))!.realm.id);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].tokenHash, sha256Hex(created.token!));
    assert.ok(!JSON.stringify(stored).includes(created.token!));

    const listed = await kc.realms.getClientsInitialAccess({ realm: REALM });
    assert.deepEqual(listed, [{ id: created.id, timestamp: created.timestamp, expiration: 3600, count: 2, remainingCount: 2 }]);
    const unlimited = await kc.realms.createClientsInitialAccess({ realm: REALM }, {});
    assert.deepEqual([unlimited.expiration, unlimited.count], [0, 0]);

    await kc.realms.delClientsInitialAccess({ realm: REALM, id: created.id! });
    await kc.realms.delClientsInitialAccess({ realm: REALM, id: 'not-there' });
    assert.deepEqual((await kc.realms.getClientsInitialAccess({ realm: REALM })).map((a) => a.id), [unlimited.id]);
  });

  it('refuses bad initial access input and callers without manage-clients', async () => {
    const post = (body: unknown, as = token) => request('POST', `/${REALM}/clients-initial-access`, body, as).then((r) => ({ status: r.status, body: r.body }));
    assert.deepEqual(await post({ expiration: -1 }), {
      status: 400,
      body: { error: 'Invalid value for expiration', error_description: 'The expiration time interval cannot be less than 0' },
    });
    assert.deepEqual(await post({ count: -1 }), { status: 400, body: { error: 'Invalid value for count', error_description: 'The count cannot be less than 0' } });
    assert.deepEqual(await post({ count: 'x' }), { status: 400, body: { field: 'count', errorMessage: 'count: expected an integer', params: [] } });
    assert.deepEqual(await post('{'), { status: 400, body: { error: 'invalid_request', error_description: 'Cannot parse the JSON', errorMessage: 'Cannot parse the JSON' } });
    // view-clients may list them, not issue or delete them.
    assert.equal((await request('GET', `/${REALM}/clients-initial-access`, undefined, viewerToken)).status, 200);
    assert.deepEqual(await post({}, viewerToken), FORBIDDEN);
    assert.equal((await request('DELETE', `/${REALM}/clients-initial-access/x`, undefined, viewerToken)).status, 403);
    assert.equal((await kc.realms.getClientsInitialAccess({ realm: REALM })).length, 1);
  });

  it('stores localization texts per locale and answers them as Keycloak', async () => {
    assert.deepEqual(await kc.realms.getRealmLocalizationTexts({ realm: REALM, selectedLocale: 'de' }), {});
    assert.deepEqual(await text('PUT', '/localization/de/greeting', 'Hallo'), { status: 204, body: '' });
    await kc.realms.addLocalization({ realm: REALM, selectedLocale: 'de', key: 'farewell' }, 'Tschüss');
    assert.deepEqual((await request('POST', `/${REALM}/localization/fr`, { a: 'un', b: 2, 'dotted.key': true })).status, 204);
    assert.deepEqual(await kc.realms.getRealmSpecificLocales({ realm: REALM }), ['de', 'fr']);
    assert.deepEqual(await kc.realms.getRealmLocalizationTexts({ realm: REALM, selectedLocale: 'fr' }), { a: 'un', b: '2', 'dotted.key': 'true' });
    assert.deepEqual(await kc.realms.getRealmLocalizationTexts({ realm: REALM, selectedLocale: 'de' }), { farewell: 'Tschüss', greeting: 'Hallo' });
    const single = await fetch(`${server.url}/admin/realms/${REALM}/localization/de/greeting`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual([single.status, single.headers.get('content-type'), await single.text()], [200, 'text/plain; charset=utf-8', 'Hallo']);

    // The viewer has admin roles, so may read; only manage-realm may write.
    assert.equal((await request('GET', `/${REALM}/localization/de`, undefined, viewerToken)).status, 200);
    assert.deepEqual(await request('PUT', `/${REALM}/localization/de/x`, undefined, viewerToken).then((r) => ({ status: r.status, body: r.body })), FORBIDDEN);

    const exported = (await exportRealm(server.holdfast.ctx.realms.repository, REALM, { includeUsers: false })) as { localizationTexts: unknown };
    assert.deepEqual(exported.localizationTexts, { de: { farewell: 'Tschüss', greeting: 'Hallo' }, fr: { a: 'un', b: '2', 'dotted.key': 'true' } });

    await kc.realms.deleteRealmLocalizationTexts({ realm: REALM, selectedLocale: 'de', key: 'farewell' });
    assert.deepEqual(await request('DELETE', `/${REALM}/localization/de/farewell`).then((r) => [r.status, r.body]), [404, { error: 'Localization text not found' }]);
    assert.deepEqual(await request('GET', `/${REALM}/localization/de/farewell`).then((r) => [r.status, r.body]), [404, { error: 'Localization text not found' }]);
    assert.deepEqual(await request('DELETE', `/${REALM}/localization/fr`).then((r) => r.status), 204);
    assert.deepEqual(await request('DELETE', `/${REALM}/localization/zz`).then((r) => [r.status, r.body]), [404, { error: 'No localization texts for locale zz found.' }]);
    assert.deepEqual(await kc.realms.getRealmSpecificLocales({ realm: REALM }), ['de']);
  });

  it('refuses bad localization input with nothing written', async () => {
    const before = await kc.realms.getRealmLocalizationTexts({ realm: REALM, selectedLocale: 'de' });
    assert.deepEqual(await text('PUT', '/localization/de/k', '"json"', 'application/json'), {
      status: 415,
      body: JSON.stringify({ error: 'The content-type header value did not match the value in @Consumes' }),
    });
    assert.deepEqual(await request('POST', `/${REALM}/localization/de`, { ok: 'yes', bad: { nested: 1 } }).then((r) => [r.status, r.body]), [
      400,
      { field: 'bad', errorMessage: 'bad: expected a string', params: [] },
    ]);
    assert.deepEqual(await request('POST', `/${REALM}/localization/de`, { ['k'.repeat(256)]: 'v' }).then((r) => r.status), 400);
    assert.deepEqual(await request('POST', `/${REALM}/localization/de`, ['x']).then((r) => r.status), 400);
    assert.deepEqual(await request('POST', `/${REALM}/localization/${'l'.repeat(256)}`, { a: 'b' }).then((r) => r.status), 400);
    assert.deepEqual(await kc.realms.getRealmLocalizationTexts({ realm: REALM, selectedLocale: 'de' }), before);
  });

  it('imports and exports localizationTexts in realm files', async () => {
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'texts', enabled: true, localizationTexts: { en: { hello: 'Hello' } } } as never);
    assert.deepEqual(await master.realms.getRealmLocalizationTexts({ realm: 'texts', selectedLocale: 'en' }), { hello: 'Hello' });
    const refused = await failure(master.realms.create({ realm: 'texts2', localizationTexts: { en: { hello: ['x'] } } } as never));
    assert.deepEqual([refused.status, refused.body.field], [400, 'localizationTexts.en.hello']);
    assert.equal((await request('GET', '/texts2')).status, 404);
  });

  it('answers users-management-permissions and registration policies as Keycloak 26 by default', async () => {
    const notEnabled = { error: 'Feature not enabled', error_description: 'For more on this error consult the server log.' };
    const get = await failure(kc.realms.getUsersManagementPermissions({ realm: REALM }));
    assert.deepEqual([get.status, get.body], [501, notEnabled]);
    const put = await failure(kc.realms.updateUsersManagementPermissions({ realm: REALM, enabled: true }));
    assert.deepEqual([put.status, put.body], [501, notEnabled]);
    assert.deepEqual(await request('PUT', `/${REALM}/users-management-permissions`, { enabled: false }, viewerToken).then((r) => r.status), 403);
    assert.deepEqual(await kc.realms.getClientRegistrationPolicyProviders({ realm: REALM }), []);
    assert.deepEqual(await request('GET', `/${REALM}/client-registration-policy/providers`, undefined, viewerToken).then((r) => ({ status: r.status, body: r.body })), FORBIDDEN);
  });

  it('push-revocation reports the adapters it would push to as failed, and notBefore is enforced', async () => {
    assert.deepEqual(await kc.realms.pushRevocation({ realm: REALM }), {});
    await kc.clients.create({ clientId: 'legacy', adminUrl: '/admin', rootUrl: 'http://legacy.example:8080/app/', secret: 'legacy-secret', directAccessGrantsEnabled: true });
    assert.deepEqual(await kc.realms.pushRevocation({ realm: REALM }), { failedRequests: ['http://legacy.example:8080/app/admin'] });
    assert.deepEqual(await request('POST', `/${REALM}/push-revocation`, undefined, viewerToken).then((r) => ({ status: r.status, body: r.body })), FORBIDDEN);

    const login = await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'admin-cli', username: 'viewer', password: 'viewer-pw' });
    const userinfo = () => fetch(`${server.url}/realms/${REALM}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${login.body.access_token}` } });
    assert.equal((await userinfo()).status, 200);
    const notBefore = server.holdfast.ctx.sessions.now() + 1;
    await kc.realms.update({ realm: REALM }, { notBefore });
    assert.equal((await kc.realms.findOne({ realm: REALM }))!.notBefore, notBefore);
    assert.equal((await userinfo()).status, 401);
  });
});
