/**
 * User and admin events (issue 13.7) through @keycloak/keycloak-admin-client 26 against a real
 * listening holdfast, on SQLite and on PostgreSQL: the events config (Keycloak's defaults, what a
 * PUT takes, what it refuses), the events each endpoint records with Keycloak's types, errors and
 * details (compared with a real Keycloak 26), Keycloak's filters and paging, admin events with
 * masked representations, clearing, permissions, and expiry by `eventsExpiration`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { SAVED_BY_DEFAULT } from '../../src/events/index.ts';
import { adminClient, adminRequest, tokenFor, userWithManagementRoles, type AdminServer, startAdminRealm } from '../admin/admin-support.ts';

const REALM = 'events';

for (const dialect of ['sqlite', 'postgres'] as const) describe(`events (${dialect})`, () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let aliceId: string;
  const request = (method: string, path: string, body?: unknown) => adminRequest(server.url, token, method, path, body);
  const password = (username: string, secret = 'app-secret', pw = `${username}-pw`) =>
    tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'app', client_secret: secret, username, password: pw, scope: 'openid' });
  const flushed = () => server.holdfast.ctx.events.writer.flush();
  const events = async (query: Record<string, unknown> = {}) => {
    await flushed();
    // The admin client's typings predate the events' `id`; Keycloak 26 sends it.
    return (await kc.realms.findEvents({ realm: REALM, ...query })) as Array<Awaited<ReturnType<KcAdminClient['realms']['findEvents']>>[number] & { id: string; time: number }>;
  };
  const oidc = (path: string, init: RequestInit) => fetch(`${server.url}/realms/${REALM}/protocol/openid-connect/${path}`, init);

  before(async () => {
    ({ server, kc, token } = await startAdminRealm(dialect, REALM));
    await kc.clients.create({ clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true, serviceAccountsEnabled: true });
    ({ id: aliceId } = await kc.users.create({ username: 'alice', enabled: true, credentials: [{ type: 'password', value: 'alice-pw', temporary: false }] }));
  });

  after(async () => {
    await server?.close();
  });

  it('has Keycloak 26 defaults: off, jboss-logging, the saved-by-default types', async () => {
    const config = await kc.realms.getConfigEvents({ realm: REALM });
    assert.deepEqual(config, { eventsEnabled: false, eventsListeners: ['jboss-logging'], enabledEventTypes: [...SAVED_BY_DEFAULT], adminEventsEnabled: false, adminEventsDetailsEnabled: false });
    assert.equal(SAVED_BY_DEFAULT.length, 103);
    assert.ok(!(SAVED_BY_DEFAULT as readonly string[]).includes('REFRESH_TOKEN'));
    const realm = await kc.realms.findOne({ realm: REALM });
    assert.equal(realm!.eventsEnabled, false);
    assert.deepEqual(realm!.eventsListeners, ['jboss-logging']);
    assert.deepEqual(realm!.enabledEventTypes, []);
  });

  it('stores nothing while events are off', async () => {
    await password('alice', 'app-secret', 'wrong');
    assert.deepEqual(await events(), []);
  });

  it('refuses listeners, types and expirations that would do nothing, and keeps the config', async () => {
    const before = await kc.realms.getConfigEvents({ realm: REALM });
    const unknown = await request('PUT', `/${REALM}/events/config`, { eventsEnabled: true, eventsListeners: ['nope'] });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.errorMessage, /Unknown event listener/);
    const email = await request('PUT', `/${REALM}/events/config`, { eventsEnabled: true, eventsListeners: ['jboss-logging', 'email'] });
    assert.equal(email.status, 400);
    assert.match(email.body.errorMessage, /'email' is not supported/);
    const type = await request('PUT', `/${REALM}/events/config`, { eventsEnabled: true, enabledEventTypes: ['LOGIN', 'NOPE'] });
    assert.equal(type.status, 400);
    assert.match(type.body.errorMessage, /unknown event type 'NOPE'/);
    const expiration = await request('PUT', `/${REALM}/events/config`, { eventsEnabled: true, eventsExpiration: -5 });
    assert.equal(expiration.status, 400);
    const realm = await request('PUT', `/${REALM}`, { eventsListeners: ['nope'] });
    assert.equal(realm.status, 400);
    assert.deepEqual(await kc.realms.getConfigEvents({ realm: REALM }), before);
  });

  it('records the password grant as Keycloak does: LOGIN, LOGIN_ERROR with its error and details', async () => {
    await kc.realms.updateConfigEvents({ realm: REALM }, { eventsEnabled: true, adminEventsEnabled: true, adminEventsDetailsEnabled: true });
    assert.equal((await password('alice', 'app-secret', 'wrong')).status, 401);
    assert.equal((await password('nobody')).status, 401);
    assert.equal((await password('alice', 'wrong-secret')).status, 401);
    const ok = await password('alice');
    assert.equal(ok.status, 200);

    const [login, badClient, noUser, badPassword] = await events({ max: 4 });
    assert.equal(badPassword.type, 'LOGIN_ERROR');
    assert.equal(badPassword.error, 'invalid_user_credentials');
    assert.equal(badPassword.userId, aliceId);
    assert.equal(badPassword.clientId, 'app');
    assert.equal(badPassword.ipAddress, '127.0.0.1');
    assert.deepEqual(badPassword.details, { grant_type: 'password', client_auth_method: 'client-secret', auth_method: 'openid-connect', username: 'alice' });
    assert.equal(noUser.error, 'user_not_found');
    assert.equal(noUser.userId, undefined);
    assert.equal(badClient.error, 'invalid_client_credentials');
    assert.deepEqual(badClient.details, { grant_type: 'password' });

    const access = JSON.parse(Buffer.from(ok.body.access_token.split('.')[1], 'base64url').toString());
    const refresh = JSON.parse(Buffer.from(ok.body.refresh_token.split('.')[1], 'base64url').toString());
    assert.equal(login.type, 'LOGIN');
    assert.equal(login.error, undefined);
    assert.equal(login.userId, aliceId);
    assert.equal(login.sessionId, ok.body.session_state);
    assert.equal(typeof login.time, 'number');
    assert.deepEqual(login.details, {
      grant_type: 'password',
      client_auth_method: 'client-secret',
      auth_method: 'openid-connect',
      username: 'alice',
      token_id: access.jti,
      refresh_token_id: refresh.jti,
      refresh_token_type: 'Refresh',
      scope: ok.body.scope,
    });
  });

  it('stores REFRESH_TOKEN, INTROSPECT_TOKEN and USER_INFO_REQUEST only when listed', async () => {
    const ok = await password('alice');
    const refresh = () => oidc('token', { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'app', client_secret: 'app-secret', refresh_token: ok.body.refresh_token }) });
    assert.equal((await refresh()).status, 200);
    assert.equal((await events({ type: 'REFRESH_TOKEN' })).length, 0);

    await kc.realms.updateConfigEvents(
      { realm: REALM },
      { eventsEnabled: true, enabledEventTypes: ['LOGIN', 'LOGIN_ERROR', 'REFRESH_TOKEN', 'REFRESH_TOKEN_ERROR', 'INTROSPECT_TOKEN', 'INTROSPECT_TOKEN_ERROR', 'USER_INFO_REQUEST', 'USER_INFO_REQUEST_ERROR', 'CLIENT_LOGIN', 'LOGOUT', 'LOGOUT_ERROR', 'CODE_TO_TOKEN_ERROR', 'REVOKE_GRANT'] },
    );
    const refreshed = await refresh();
    assert.equal(refreshed.status, 200);
    const given = JSON.parse(Buffer.from(ok.body.refresh_token.split('.')[1], 'base64url').toString());
    const issued = JSON.parse(Buffer.from((await refreshed.json()).refresh_token.split('.')[1], 'base64url').toString());
    const garbage = await oidc('token', { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'app', client_secret: 'app-secret', refresh_token: 'garbage' }) });
    assert.equal(garbage.status, 400);
    const basic = `Basic ${Buffer.from('app:app-secret').toString('base64')}`;
    assert.equal((await oidc('token/introspect', { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams({ token: ok.body.access_token }) })).status, 200);
    assert.equal((await oidc('token/introspect', { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams({ token: 'garbage' }) })).status, 200);
    assert.equal((await oidc('userinfo', { headers: { authorization: `Bearer ${ok.body.access_token}` } })).status, 200);
    assert.equal((await oidc('userinfo', { headers: { authorization: 'Bearer garbage' } })).status, 401);
    const code = await oidc('token', { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'app', client_secret: 'app-secret', code: 'bad', redirect_uri: 'http://x' }) });
    assert.equal(code.status, 400);
    assert.equal((await oidc('token', { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'app', client_secret: 'app-secret' }) })).status, 200);
    assert.equal((await oidc('logout', { method: 'POST', body: new URLSearchParams({ client_id: 'app', client_secret: 'app-secret', refresh_token: ok.body.refresh_token }) })).status, 204);
    assert.equal((await oidc('logout', { method: 'POST', body: new URLSearchParams({ client_id: 'app', client_secret: 'app-secret', refresh_token: 'garbage' }) })).status, 400);

    const revoked = await password('alice');
    assert.equal((await oidc('revoke', { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams({ token: revoked.body.refresh_token }) })).status, 200);

    const recorded = (await events({ max: 20 })).reverse();
    const byType = (type: string) => recorded.filter((e) => e.type === type);
    const [refreshEvent] = byType('REFRESH_TOKEN');
    assert.equal(refreshEvent.userId, aliceId);
    assert.equal(refreshEvent.details!.refresh_token_id, given.jti);
    assert.equal(refreshEvent.details!.updated_refresh_token_id, issued.jti);
    assert.equal(refreshEvent.details!.grant_type, 'refresh_token');
    assert.deepEqual(
      byType('REFRESH_TOKEN_ERROR').map((e) => [e.error, e.clientId]),
      [['invalid_token', 'app']],
    );
    assert.equal(byType('INTROSPECT_TOKEN')[0].userId, aliceId);
    assert.equal(byType('INTROSPECT_TOKEN_ERROR')[0].error, 'invalid_token');
    assert.deepEqual(
      byType('USER_INFO_REQUEST').map((e) => [e.userId, e.clientId, e.details!.username, e.details!.auth_method]),
      [[aliceId, 'app', 'alice', 'validate_access_token']],
    );
    assert.equal(byType('USER_INFO_REQUEST_ERROR')[0].error, 'invalid_token');
    assert.equal(byType('CODE_TO_TOKEN_ERROR')[0].error, 'invalid_code');
    assert.equal(byType('CLIENT_LOGIN')[0].details!.username, 'service-account-app');
    assert.deepEqual(byType('LOGOUT').map((e) => [e.userId, e.sessionId]), [[aliceId, ok.body.session_state]]);
    assert.equal(byType('LOGOUT_ERROR')[0].error, 'invalid_token');
    const [revoke] = byType('REVOKE_GRANT');
    assert.deepEqual([revoke.userId, revoke.sessionId, revoke.details!.revoked_client], [aliceId, revoked.body.session_state, 'app']);
  });

  it("answers Keycloak's filters and paging", async () => {
    const all = await events({ max: 1000 });
    assert.ok(all.length >= 10);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].time >= all[i].time, 'newest first');
    const logins = await events({ type: 'LOGIN', max: 1000 });
    assert.ok(logins.length > 0 && logins.every((e) => e.type === 'LOGIN'));
    const two = await events({ type: ['LOGIN', 'LOGOUT'], max: 1000 });
    assert.deepEqual(new Set(two.map((e) => e.type)), new Set(['LOGIN', 'LOGOUT']));
    assert.ok((await events({ user: aliceId, max: 1000 })).every((e) => e.userId === aliceId));
    assert.deepEqual(await events({ client: 'other' }), []);
    assert.equal((await events({ ipAddress: '127.0.0.1', max: 1000 })).length, all.length);
    assert.deepEqual((await events({ first: 1, max: 2 })).map((e) => e.id), all.slice(1, 3).map((e) => e.id));
    const oldest = all[all.length - 1];
    assert.deepEqual((await events({ dateTo: String(oldest.time), max: 1000 })).map((e) => e.id).includes(oldest.id), true);
    assert.deepEqual(await events({ dateFrom: String(all[0].time + 1) }), []);
    const today = new Date(all[0].time).toISOString().slice(0, 10);
    assert.equal((await events({ dateFrom: today, dateTo: today, max: 1000 })).length, all.length);
    const ascending = await request('GET', `/${REALM}/events?direction=asc&max=1`);
    assert.equal(ascending.body[0].id, oldest.id);

    for (const [query, message] of [
      ['dateFrom=yesterday', "Invalid value for 'dateFrom', expected format is yyyy-MM-dd or an Epoch timestamp"],
      ['dateTo=2026-02-30', "Invalid value for 'dateTo', expected format is yyyy-MM-dd or an Epoch timestamp"],
      ['direction=up', 'Invalid value for sortDirection, expected value is asc or desc'],
      ['type=NOPE', "Invalid value for 'type': NOPE"],
    ]) {
      const answer = await request('GET', `/${REALM}/events?${query}`);
      assert.deepEqual([answer.status, answer.body], [400, { error: message }], query);
    }
  });

  it('records admin events with masked representations and filters them', async () => {
    await kc.clients.create({ clientId: 'secretive', secret: 'top-secret' });
    const { id: bobId } = await kc.users.create({ username: 'bob', enabled: true, credentials: [{ type: 'password', value: 'bob-password' }] });
    await kc.users.resetPassword({ id: bobId, credential: { type: 'password', value: 'new-bob-password', temporary: false } });
    await kc.users.del({ id: bobId });
    await flushed();
    const admin = await kc.realms.findAdminEvents({ realm: REALM, max: 100 });
    const text = JSON.stringify(admin);
    for (const secret of ['top-secret', 'bob-password', 'new-bob-password']) assert.ok(!text.includes(secret), `${secret} leaked into admin events`);
    const [deleted, reset, created] = admin;
    assert.deepEqual([deleted.operationType, deleted.resourceType, deleted.resourcePath, deleted.representation], ['DELETE', 'USER', `users/${bobId}`, undefined]);
    assert.deepEqual([reset.operationType, reset.resourceType, reset.resourcePath, reset.representation], ['ACTION', 'USER', `users/${bobId}/reset-password`, undefined]);
    assert.deepEqual([created.operationType, created.resourceType, created.resourcePath], ['CREATE', 'USER', `users/${bobId}`]);
    assert.deepEqual(JSON.parse(created.representation!), { username: 'bob', enabled: true });
    const client = admin.find((e) => e.resourceType === 'CLIENT' && e.operationType === 'CREATE')!;
    assert.equal(JSON.parse(client.representation!).secret, '**********');
    const masterRealm = await adminClient(server.url);
    const adminUser = (await masterRealm.users.find({ username: 'admin', exact: true }))[0];
    assert.equal(created.authDetails!.userId, adminUser.id);
    assert.equal(created.authDetails!.ipAddress, '127.0.0.1');
    const adminCli = (await masterRealm.clients.find({ clientId: 'admin-cli' }))[0];
    assert.equal(created.authDetails!.clientId, adminCli.id);
    const config = admin.find((e) => e.resourcePath === 'events/config')!;
    assert.deepEqual([config.operationType, config.resourceType], ['UPDATE', 'REALM']);

    const users = await kc.realms.findAdminEvents({ realm: REALM, resourceTypes: 'USER', max: 100 });
    assert.ok(users.length >= 3 && users.every((e) => e.resourceType === 'USER'));
    const deletes = await kc.realms.findAdminEvents({ realm: REALM, operationTypes: 'DELETE', max: 100 });
    assert.deepEqual(deletes.map((e) => e.resourcePath), [`users/${bobId}`]);
    const byPath = await kc.realms.findAdminEvents({ realm: REALM, resourcePath: 'users/*', max: 100 });
    assert.ok(byPath.length >= 3 && byPath.every((e) => e.resourcePath!.startsWith('users/')));
    assert.deepEqual(await kc.realms.findAdminEvents({ realm: REALM, resourcePath: 'users_%' }), []);
    assert.equal((await kc.realms.findAdminEvents({ realm: REALM, authUser: adminUser.id, max: 100 })).length, admin.length);
    assert.deepEqual(await kc.realms.findAdminEvents({ realm: REALM, authUser: 'someone-else' }), []);

    await kc.realms.updateConfigEvents({ realm: REALM }, { eventsEnabled: true, adminEventsEnabled: true, adminEventsDetailsEnabled: false });
    await kc.users.create({ username: 'carol', enabled: true });
    await flushed();
    const [carol] = await kc.realms.findAdminEvents({ realm: REALM, max: 1 });
    assert.equal(carol.operationType, 'CREATE');
    assert.equal(carol.representation, undefined);
  });

  it('needs view-events to read and manage-events to clear or configure', async () => {
    await userWithManagementRoles(server.url, REALM, 'auditor', ['view-events']);
    const auditor = await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'admin-cli', username: 'auditor', password: 'auditor-pw' });
    const as = (method: string, path: string, body?: unknown) => adminRequest(server.url, auditor.body.access_token, method, `/${REALM}${path}`, body);
    assert.equal((await as('GET', '/events')).status, 200);
    assert.equal((await as('GET', '/admin-events')).status, 200);
    assert.equal((await as('GET', '/events/config')).status, 200);
    assert.equal((await as('DELETE', '/events')).status, 403);
    assert.equal((await as('DELETE', '/admin-events')).status, 403);
    assert.equal((await as('PUT', '/events/config', { eventsEnabled: false })).status, 403);
    await userWithManagementRoles(server.url, REALM, 'viewer', ['view-users']);
    const viewer = await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'admin-cli', username: 'viewer', password: 'viewer-pw' });
    assert.equal((await adminRequest(server.url, viewer.body.access_token, 'GET', `/${REALM}/events`)).status, 403);
  });

  it('deletes events older than eventsExpiration, and clears them on request', async () => {
    const store = server.holdfast.ctx.events.store;
    const realmId = (await kc.realms.findOne({ realm: REALM }))!.id!;
    const old = Date.now() - 3_600_000;
    await store.insertEvents([{ id: `old-${dialect}`, time: old, type: 'LOGIN', realmId }]);
    await kc.realms.updateConfigEvents({ realm: REALM }, { eventsEnabled: true, adminEventsEnabled: true, eventsExpiration: 60 });
    assert.equal((await kc.realms.getConfigEvents({ realm: REALM })).eventsExpiration, 60);
    assert.ok(await server.holdfast.ctx.events.removeExpired() >= 1);
    const left = await events({ max: 1000 });
    assert.ok(left.length > 0 && left.every((e) => e.time > Date.now() - 60_000));

    await kc.realms.clearEvents({ realm: REALM });
    assert.deepEqual(await events(), []);
    await kc.realms.clearAdminEvents({ realm: REALM });
    await flushed();
    assert.deepEqual(await kc.realms.findAdminEvents({ realm: REALM }), []);
  });
});
