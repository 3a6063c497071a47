/**
 * `holdfast migrate-from-keycloak` from a Keycloak 26.7.3 that runs on MariaDB (issue #19: many
 * Keycloak deployments use MariaDB or MySQL). Keycloak creates its schema on the machine's MariaDB;
 * users log in through it, one logs out; Keycloak stops; the migrator reads the database with a
 * user that may only SELECT, into holdfast's embedded store; holdfast starts at Keycloak's base
 * URL. Then the live refresh token refreshes, Keycloak's access token is accepted by userinfo, the
 * logged-out session stays out, the password Keycloak hashed logs in, and the post-flight counts
 * equal the pre-flight's. The query translation (placeholders, casts, `= ANY`, table-name case)
 * is checked on its own first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { mariaDbQuery } from '../../src/migrate-keycloak/mariadb-snapshot.ts';
import { keycloakSkipReason, startKeycloak, type RunningKeycloak } from '../support/keycloak.ts';
import { readOnlyMariaDbUser } from '../support/mariadb.ts';
import { runHoldfastCommand, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';

const REALM = 'shop';

describe('PostgreSQL queries carried to MariaDB', () => {
  const tables = new Map([
    ['offline_user_session', 'OFFLINE_USER_SESSION'],
    ['client', 'CLIENT'],
  ]);

  it('numbers placeholders in order of appearance, drops casts and maps table names, leaving literals alone', () => {
    const { sql, values } = mariaDbQuery("SELECT count(*)::int AS n FROM client WHERE realm_id = $2 AND secret LIKE 'client%' AND id <> $1", ['a', 'b'], tables);
    assert.equal(sql, "SELECT count(*) AS n FROM CLIENT WHERE realm_id = ? AND secret LIKE 'client%' AND id <> ?");
    assert.deepEqual(values, ['b', 'a']);
  });

  it('turns = ANY over an array into IN, and an empty array into a list that matches nothing', () => {
    assert.deepEqual(mariaDbQuery('SELECT 1 FROM offline_user_session WHERE user_session_id = ANY($1::varchar[])', [['x', 'y']], tables), {
      sql: 'SELECT 1 FROM OFFLINE_USER_SESSION WHERE user_session_id IN (?)',
      values: [['x', 'y']],
    });
    assert.deepEqual(mariaDbQuery('SELECT 1 FROM client WHERE id = ANY($1)', [[]], tables).values, [[null]]);
  });
});

describe('holdfast migrate-from-keycloak from Keycloak 26.7.3 on MariaDB', { skip: keycloakSkipReason(), timeout: 1_800_000 }, () => {
  let keycloak: RunningKeycloak;
  let readOnly: { url: string; drop(): Promise<void> };
  let holdfast: RunningHoldfast;
  const dataDir = tempDir();
  let live: { access_token: string; refresh_token: string };
  let loggedOut: { refresh_token: string };
  let dryRun: any;
  let migration: { code: number | null; output: string };

  const keycloakToken = async (fields: Record<string, string>) => {
    const response = await fetch(`${keycloak.baseUrl}/realms/${REALM}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ client_id: 'web', ...fields }) });
    assert.equal(response.status, 200, await response.clone().text());
    return response.json() as Promise<{ access_token: string; refresh_token: string }>;
  };

  before(async () => {
    keycloak = await startKeycloak({ database: 'mariadb' });
    await keycloak.admin('POST', '/realms', {
      realm: REALM,
      enabled: true,
      clients: [{ clientId: 'web', publicClient: true, directAccessGrantsEnabled: true, redirectUris: ['http://localhost/*'] }],
      users: ['ann', 'bob'].map((name) => ({ username: name, enabled: true, email: `${name}@example.com`, firstName: name, lastName: 'Shopper', emailVerified: true, credentials: [{ type: 'password', value: `${name}-password`, temporary: false }] })),
    });
    live = await keycloakToken({ grant_type: 'password', username: 'ann', password: 'ann-password', scope: 'openid' });
    loggedOut = await keycloakToken({ grant_type: 'password', username: 'bob', password: 'bob-password', scope: 'openid' });
    const logout = await fetch(`${keycloak.baseUrl}/realms/${REALM}/protocol/openid-connect/logout`, { method: 'POST', body: new URLSearchParams({ client_id: 'web', refresh_token: loggedOut.refresh_token }) });
    assert.equal(logout.status, 204, await logout.text());
    await keycloak.shutdown();

    readOnly = await readOnlyMariaDbUser(keycloak.dbName);
    const dry = await runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', readOnly.url, '--data-dir', dataDir, '--dry-run', '--json'], 300_000);
    assert.equal(dry.code, 0, dry.output);
    dryRun = JSON.parse(dry.output.slice(dry.output.indexOf('{')));
    migration = await runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', readOnly.url, '--data-dir', dataDir, '--json'], 300_000);
    holdfast = await startHoldfast({ dataDir, port: keycloak.port });
  });

  after(async () => {
    await holdfast?.stop('SIGTERM');
    await readOnly?.drop();
    await keycloak?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the pre-flight reads Keycloak on MariaDB as on PostgreSQL, through a user that may only SELECT', () => {
    assert.equal(dryRun.preflight.keycloak.version, '26.7.3', JSON.stringify(dryRun.preflight));
    const [realm] = dryRun.preflight.realms;
    assert.deepEqual([realm.realm, realm.users, realm.onlineSessions, realm.offlineSessions], [REALM, 2, 1, 0]);
    assert.equal(dryRun.preflight.verdict, 'zero-logout possible');
    assert.equal(dryRun.written, false);
  });

  it('carries what the pre-flight counted, and the post-flight counts match', () => {
    assert.equal(migration.code, 0, migration.output);
    const report = JSON.parse(migration.output.slice(migration.output.indexOf('{')));
    assert.equal(report.written, true);
    const [realm] = report.realms;
    assert.deepEqual(realm.carried, { online: dryRun.preflight.realms[0].onlineSessions, offline: dryRun.preflight.realms[0].offlineSessions, clientSessions: 1 });
    assert.equal(realm.verified, true, migration.output);
  });

  it('the live refresh token refreshes at holdfast and Keycloak\'s access token is accepted by userinfo', async () => {
    const base = `${holdfast.url}/realms/${REALM}/protocol/openid-connect`;
    const refreshed = await fetch(`${base}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: live.refresh_token }) });
    assert.equal(refreshed.status, 200, await refreshed.clone().text());
    const userinfo = await fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${live.access_token}` } });
    assert.equal(userinfo.status, 200, await userinfo.clone().text());
    assert.equal(((await userinfo.json()) as { preferred_username: string }).preferred_username, 'ann');
  });

  it('the session logged out at Keycloak stays logged out, and the password Keycloak hashed logs in', async () => {
    const base = `${holdfast.url}/realms/${REALM}/protocol/openid-connect`;
    const refused = await fetch(`${base}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: loggedOut.refresh_token }) });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'invalid_grant');
    const login = await fetch(`${base}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username: 'bob', password: 'bob-password' }) });
    assert.equal(login.status, 200, await login.clone().text());
  });
});
