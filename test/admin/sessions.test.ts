/**
 * Sessions through @keycloak/keycloak-admin-client 26 against a real listening holdfast, starting
 * with the acceptance scenario: create realm → client → user → set password → log in with
 * openid-client → the admin API lists the session with its client and counts it → the admin API
 * deletes it → the user's refresh token fails with invalid_grant. Then offline sessions, per-realm
 * statistics, user logout, logout-all, and the brute-force state.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, type AdminServer } from './admin-support.ts';

async function refreshError(config: oidc.Configuration, refreshToken: string): Promise<string | undefined> {
  try {
    await oidc.refreshTokenGrant(config, refreshToken);
    return undefined;
  } catch (error) {
    return (error as oidc.ResponseBodyError).error;
  }
}

describe('admin API: sessions', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let clientUuid: string;
  let userId: string;
  let relyingParty: oidc.Configuration;
  const login = (scope = 'openid') => oidc.genericGrantRequest(relyingParty, 'password', { username: 'pat', password: 'pat-password', scope });

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'acme', enabled: true });
    kc = await adminClient(server.url, {}, 'acme');
    ({ id: clientUuid } = await kc.clients.create({ clientId: 'portal', secret: 'portal-secret', directAccessGrantsEnabled: true, redirectUris: ['https://portal.example/*'] }));
    ({ id: userId } = await kc.users.create({ username: 'pat', email: 'pat@acme.example', enabled: true }));
    await kc.users.resetPassword({ id: userId, credential: { type: 'password', value: 'pat-password', temporary: false } });
    relyingParty = await oidc.discovery(new URL(`${server.url}/realms/acme`), 'portal', {}, oidc.ClientSecretBasic('portal-secret'), { execute: [oidc.allowInsecureRequests] });
  });
  after(() => server.close());

  it('acceptance: the admin API sees a login, counts it, ends it, and its refresh token dies', async () => {
    const tokens = await login();
    assert.ok(tokens.refresh_token);

    const sessions = await kc.users.listSessions({ id: userId });
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].username, 'pat');
    assert.equal(sessions[0].userId, userId);
    assert.deepEqual(sessions[0].clients, { [clientUuid]: 'portal' });
    assert.ok(sessions[0].start! <= Date.now() && sessions[0].start! > Date.now() - 60_000, 'start is in epoch milliseconds');
    assert.deepEqual(await kc.clients.getSessionCount({ id: clientUuid }), { count: 1 });
    assert.deepEqual((await kc.clients.listSessions({ id: clientUuid })).map((s) => s.id), [sessions[0].id]);
    assert.deepEqual(await kc.realms.getClientSessionStats({ realm: 'acme' }), [{ id: clientUuid, clientId: 'portal', active: '1', offline: '0' }]);

    await kc.realms.deleteSession({ realm: 'acme', session: sessions[0].id!, isOffline: false });
    assert.deepEqual(await kc.users.listSessions({ id: userId }), []);
    assert.deepEqual(await kc.clients.getSessionCount({ id: clientUuid }), { count: 0 });
    assert.equal(await refreshError(relyingParty, tokens.refresh_token!), 'invalid_grant');
  });

  it('answers 404 "Sesssion not found" (Keycloak\'s spelling) for an unknown session', async () => {
    assert.equal(await kc.realms.removeSession({ realm: 'acme', sessionId: 'no-such-session' }), null);
    const raw = await adminRequest(server.url, await masterToken(server.url), 'DELETE', '/acme/sessions/no-such-session');
    assert.deepEqual([raw.status, raw.body], [404, { error: 'Sesssion not found' }]);
  });

  it('lists, counts and ends offline sessions', async () => {
    const tokens = await login('openid offline_access');
    const offline = await kc.users.listOfflineSessions({ id: userId, clientId: clientUuid });
    assert.equal(offline.length, 1);
    assert.deepEqual(offline[0].clients, { [clientUuid]: 'portal' });
    assert.deepEqual((await kc.clients.listOfflineSessions({ id: clientUuid })).map((s) => s.id), [offline[0].id]);
    assert.deepEqual(await kc.clients.getOfflineSessionCount({ id: clientUuid }), { count: 1 });
    assert.deepEqual(await kc.realms.getClientSessionStats({ realm: 'acme' }), [{ id: clientUuid, clientId: 'portal', active: '0', offline: '1' }]);
    const otherClient = (await kc.clients.find({ clientId: 'admin-cli' }))[0];
    assert.deepEqual(await kc.users.listOfflineSessions({ id: userId, clientId: otherClient.id! }), []);
    assert.equal((await failure(kc.users.listOfflineSessions({ id: userId, clientId: 'no-such-client' }))).status, 404);

    await kc.realms.deleteSession({ realm: 'acme', session: offline[0].id!, isOffline: true });
    assert.deepEqual(await kc.clients.getOfflineSessionCount({ id: clientUuid }), { count: 0 });
    assert.equal(await refreshError(relyingParty, tokens.refresh_token!), 'invalid_grant');
  });

  it('logs a user out everywhere: sessions gone, earlier tokens stale', async () => {
    const first = await login();
    const second = await login();
    assert.equal((await kc.users.listSessions({ id: userId })).length, 2);
    await kc.users.logout({ id: userId });
    assert.deepEqual(await kc.users.listSessions({ id: userId }), []);
    assert.ok(((await kc.users.findOne({ id: userId }))?.notBefore ?? 0) > 0);
    assert.equal(await refreshError(relyingParty, first.refresh_token!), 'invalid_grant');
    assert.equal(await refreshError(relyingParty, second.refresh_token!), 'invalid_grant');
  });

  it('logs the whole realm out', async () => {
    // Tokens issued in the same second as a not-before are stale: step past it first.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const tokens = await login();
    assert.equal((await kc.clients.getSessionCount({ id: clientUuid })).count, 1);
    assert.deepEqual(await kc.realms.logoutAll({ realm: 'acme' }), {});
    assert.equal((await kc.clients.getSessionCount({ id: clientUuid })).count, 0);
    assert.ok(((await kc.realms.findOne({ realm: 'acme' }))?.notBefore ?? 0) > 0);
    assert.equal(await refreshError(relyingParty, tokens.refresh_token!), 'invalid_grant');
  });

  it('reports and clears brute-force state in Keycloak\'s shape', async () => {
    const clean = { disabled: false, numFailures: 0, numTemporaryLockouts: 0, lastFailure: 0, lastIPFailure: 'n/a', failedLoginNotBefore: 0 };
    assert.deepEqual(await kc.attackDetection.findOne({ id: userId }), clean);
    await kc.realms.update({ realm: 'acme' }, { bruteForceProtected: true });
    const realmId = (await kc.realms.findOne({ realm: 'acme' }))!.id!;
    const store = server.holdfast.ctx.store;
    const at = Date.now();
    await store.recordLoginFailure(realmId, userId, { atMs: at, ipAddress: '10.0.0.9' });
    await store.recordLoginFailure(realmId, userId, { atMs: at + 1, ipAddress: '10.0.0.9' });
    const state = await kc.attackDetection.findOne({ id: userId });
    assert.deepEqual(state, { ...clean, numFailures: 2, lastFailure: at + 1, lastIPFailure: '10.0.0.9' });

    await kc.attackDetection.del({ id: userId });
    assert.deepEqual(await kc.attackDetection.findOne({ id: userId }), clean);
    await store.recordLoginFailure(realmId, userId, { atMs: at, ipAddress: '10.0.0.9' });
    await kc.attackDetection.delAll();
    assert.deepEqual(await kc.attackDetection.findOne({ id: userId }), clean);
    assert.equal((await tokenFor(server.url, 'acme', { grant_type: 'password', client_id: 'portal', client_secret: 'portal-secret', username: 'pat', password: 'pat-password' })).status, 200);
  });
});
