/**
 * `holdfast migrate-from-keycloak` against a real Keycloak 26.7.3 (issue #19): a realm made
 * through Keycloak's admin API (a public SPA, a confidential client with rotation on, an
 * offline-capable client, groups, a composite role, a mapper, users), users logged in through
 * Keycloak's token endpoint (password grants, an offline token, a rotated refresh chain, one user
 * logged out), Keycloak stopped, then the migration with a read-only database role into a fresh
 * holdfast PostgreSQL store: realm, clients, users, keys, sessions and counts checked in the
 * store, Keycloak's password hash checked by a password grant on holdfast, a second run that
 * updates without duplicates, and the bad inputs (not Keycloak, another version, a missing
 * column) refused with nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import crypto from 'node:crypto';
import pg from 'pg';
import { freshDatabase, PG_HOST, type FreshDatabase } from '../support/postgres.ts';
import { runHoldfastCommand, tempDir, writeKekFile } from '../support/process.ts';
import { keycloakSkipReason, startKeycloak, type RunningKeycloak } from '../support/keycloak.ts';
import { testApp, form, decodeJwt } from '../support/app.ts';

const REALM = 'shop';
const SECRET = 'backend-secret-value-123';

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
}

async function query<T = Record<string, any>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('holdfast migrate-from-keycloak against Keycloak 26.7.3', { skip: keycloakSkipReason(), timeout: 1_800_000 }, () => {
  let keycloak: RunningKeycloak;
  let target: FreshDatabase;
  let kekFile: string;
  const readOnlyRole = `kc_reader_${crypto.randomBytes(4).toString('hex')}`;
  let readOnlyUrl: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, Tokens> = {};
  let jwksBefore: Array<{ kid: string; alg: string }>;
  let hmacKid: string;
  let firstRun: { code: number | null; output: string };
  const copies: string[] = [];

  const tokenEndpoint = () => `${keycloak.baseUrl}/realms/${REALM}/protocol/openid-connect/token`;
  const grant = async (fields: Record<string, string>): Promise<Tokens> => {
    const response = await fetch(tokenEndpoint(), { method: 'POST', body: new URLSearchParams(fields) });
    const body = await response.text();
    assert.equal(response.status, 200, body);
    return JSON.parse(body) as Tokens;
  };
  const idOf = async (path: string, search: string) => {
    const list = (await (await keycloak.admin('GET', `${path}?${search}`)).json()) as Array<{ id: string }>;
    return list[0].id;
  };
  const migrate = (url: string, extra: string[] = []) =>
    runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', url, '--db', 'postgres', '--db-url', target.url, '--kek-file', kekFile, ...extra], 600_000);

  before(async () => {
    keycloak = await startKeycloak({ relativePath: '/auth' });
    const admin = keycloak.admin;
    await admin('POST', '/realms', { realm: REALM, enabled: true, revokeRefreshToken: true, refreshTokenMaxReuse: 0, rememberMe: true, bruteForceProtected: true, failureFactor: 7 });
    await admin('POST', `/realms/${REALM}/clients`, { clientId: 'spa', publicClient: true, standardFlowEnabled: true, directAccessGrantsEnabled: true, redirectUris: ['http://localhost:3000/*'], webOrigins: ['http://localhost:3000'] });
    await admin('POST', `/realms/${REALM}/clients`, { clientId: 'backend', publicClient: false, secret: SECRET, directAccessGrantsEnabled: true, standardFlowEnabled: true, redirectUris: ['http://localhost:4000/cb'] });
    await admin('POST', `/realms/${REALM}/clients`, { clientId: 'mobile', publicClient: true, directAccessGrantsEnabled: true, redirectUris: ['app://callback'] });
    for (const clientId of ['spa', 'backend', 'mobile']) ids[clientId] = await idOf(`/realms/${REALM}/clients`, `clientId=${clientId}`);
    await admin('POST', `/realms/${REALM}/clients/${ids.spa}/protocol-mappers/models`, {
      name: 'tenant',
      protocol: 'openid-connect',
      protocolMapper: 'oidc-hardcoded-claim-mapper',
      config: { 'claim.name': 'tenant', 'claim.value': 'acme', 'jsonType.label': 'String', 'access.token.claim': 'true', 'id.token.claim': 'true', 'userinfo.token.claim': 'true' },
    });
    await admin('POST', `/realms/${REALM}/roles`, { name: 'staff-role' });
    await admin('POST', `/realms/${REALM}/roles`, { name: 'manager' });
    const staffRole = (await (await admin('GET', `/realms/${REALM}/roles/staff-role`)).json()) as { id: string; name: string };
    ids.staffRole = staffRole.id;
    await admin('POST', `/realms/${REALM}/roles/manager/composites`, [staffRole]);
    await admin('POST', `/realms/${REALM}/groups`, { name: 'staff', attributes: { floor: ['3'] } });
    ids.staff = await idOf(`/realms/${REALM}/groups`, 'search=staff');
    await admin('POST', `/realms/${REALM}/groups/${ids.staff}/children`, { name: 'admins' });
    ids.admins = ((await (await admin('GET', `/realms/${REALM}/groups/${ids.staff}/children`)).json()) as Array<{ id: string }>)[0].id;
    await admin('POST', `/realms/${REALM}/groups/${ids.staff}/role-mappings/realm`, [staffRole]);
    for (const name of ['alice', 'bob', 'carol']) {
      await admin('POST', `/realms/${REALM}/users`, { username: name, enabled: true, email: `${name}@example.com`, firstName: name, lastName: 'Doe', emailVerified: true, credentials: [{ type: 'password', value: `${name}-password`, temporary: false }] });
      ids[name] = await idOf(`/realms/${REALM}/users`, `username=${name}&exact=true`);
    }
    await admin('PUT', `/realms/${REALM}/users/${ids.alice}/groups/${ids.admins}`);
    const manager = (await (await admin('GET', `/realms/${REALM}/roles/manager`)).json()) as { id: string; name: string };
    await admin('POST', `/realms/${REALM}/users/${ids.bob}/role-mappings/realm`, [manager]);

    // Logins: a rotated chain on the confidential client, an offline token, a SPA session, and one logged out.
    tokens.alice1 = await grant({ grant_type: 'password', client_id: 'backend', client_secret: SECRET, username: 'alice', password: 'alice-password', scope: 'openid' });
    tokens.alice2 = await grant({ grant_type: 'refresh_token', client_id: 'backend', client_secret: SECRET, refresh_token: tokens.alice1.refresh_token });
    tokens.bob = await grant({ grant_type: 'password', client_id: 'mobile', username: 'bob', password: 'bob-password', scope: 'openid offline_access' });
    tokens.spa = await grant({ grant_type: 'password', client_id: 'spa', username: 'alice', password: 'alice-password', scope: 'openid' });
    tokens.carol = await grant({ grant_type: 'password', client_id: 'spa', username: 'carol', password: 'carol-password', scope: 'openid' });
    const logout = await fetch(`${keycloak.baseUrl}/realms/${REALM}/protocol/openid-connect/logout`, { method: 'POST', body: new URLSearchParams({ client_id: 'spa', refresh_token: tokens.carol.refresh_token }) });
    assert.equal(logout.status, 204, await logout.text());
    jwksBefore = ((await (await fetch(`${keycloak.baseUrl}/realms/${REALM}/protocol/openid-connect/certs`)).json()) as { keys: Array<{ kid: string; alg: string }> }).keys;
    hmacKid = JSON.parse(Buffer.from(tokens.alice2.refresh_token.split('.')[0], 'base64url').toString()).kid;

    await keycloak.shutdown();

    // The migrator only needs to read: a role that can do nothing else.
    const owner = new URL(keycloak.dbUrl).username;
    await query(keycloak.dbUrl.replace(/\/[^/]+$/, '/postgres'), `CREATE ROLE ${readOnlyRole} LOGIN`);
    await query(keycloak.dbUrl, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${readOnlyRole}`);
    readOnlyUrl = `postgres://${readOnlyRole}@${PG_HOST}/${keycloak.dbName}`;
    assert.ok(owner);

    target = await freshDatabase('holdfast_kcmig');
    kekFile = writeKekFile(tempDir('holdfast-kcmig-'));
    firstRun = await migrate(readOnlyUrl);
  });

  after(async () => {
    for (const name of copies) await query(keycloak.dbUrl.replace(/\/[^/]+$/, '/postgres'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    if (keycloak) {
      await query(keycloak.dbUrl, `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${readOnlyRole}`).catch(() => {});
      await keycloak.stop();
      await query(keycloak.dbUrl.replace(/\/[^/]+$/, '/postgres'), `DROP ROLE IF EXISTS ${readOnlyRole}`).catch(() => {});
    }
    await target?.drop();
  });

  it('reports the pre-flight, carries everything with a read-only role, and the post-flight counts match', () => {
    assert.equal(firstRun.code, 0, firstRun.output);
    assert.match(firstRun.output, /Keycloak 26\.7\.3/);
    assert.match(firstRun.output, /realm shop: 3 users, \d+ clients, 4 key providers, 2 online sessions \(2 client sessions\), 1 offline sessions \(1 client sessions\)/);
    assert.match(firstRun.output, /verdict: zero-logout possible/);
    assert.match(firstRun.output, /realm shop: carried 2 online and 1 offline sessions with 3 client sessions/);
    assert.match(firstRun.output, /post-flight shop: counts match: 2 online, 1 offline stored; per client: .*backend 1\/1 online, 0\/0 offline.*mobile 0\/0 online, 1\/1 offline.*spa 1\/1 online, 0\/0 offline/);
    assert.doesNotMatch(firstRun.output, /master/);
  });

  it('never prints a secret: no HMAC secret, private key, password hash or client secret', async () => {
    const secrets = await query<{ value: string }>(keycloak.dbUrl, "SELECT value FROM component_config WHERE name IN ('secret', 'privateKey')");
    const hashes = await query<{ secret_data: string }>(keycloak.dbUrl, 'SELECT secret_data FROM credential');
    assert.ok(secrets.length >= 3 && hashes.length >= 3);
    for (const { value } of secrets) assert.ok(!firstRun.output.includes(value.slice(0, 24)), 'a key secret was printed');
    for (const { secret_data } of hashes) assert.ok(!firstRun.output.includes(JSON.parse(secret_data).value), 'a password hash was printed');
    assert.ok(!firstRun.output.includes(SECRET));
  });

  it('keeps the ids of realm, clients and users, the groups, composites and mappers', async () => {
    const [realm] = await query(target.url, 'SELECT id, name FROM realm WHERE name = $1', [REALM]);
    const [kcRealm] = await query(keycloak.dbUrl, 'SELECT id FROM realm WHERE name = $1', [REALM]);
    assert.equal(realm.id, kcRealm.id);
    const clients = await query(target.url, 'SELECT id, client_id FROM client WHERE realm_id = $1', [realm.id]);
    for (const clientId of ['spa', 'backend', 'mobile']) assert.equal(clients.find((c) => c.client_id === clientId)?.id, ids[clientId], clientId);
    const users = await query(target.url, 'SELECT id, username FROM app_user WHERE realm_id = $1 ORDER BY username', [realm.id]);
    assert.deepEqual(users.map((u) => [u.username, u.id]), ['alice', 'bob', 'carol'].map((name) => [name, ids[name]]));
    const members = await query(target.url, 'SELECT g.name FROM group_member m JOIN realm_group g ON g.id = m.group_id WHERE m.user_id = $1', [ids.alice]);
    assert.deepEqual(members.map((m) => m.name), ['admins']);
    const [settings] = await query(target.url, 'SELECT settings FROM realm WHERE id = $1', [realm.id]);
    const realmSettings = typeof settings.settings === 'string' ? JSON.parse(settings.settings) : settings.settings;
    assert.deepEqual([realmSettings.revokeRefreshToken, realmSettings.bruteForceProtected, realmSettings.failureFactor, realmSettings.rememberMe], [true, true, 7, true]);
    const [manager] = await query(target.url, "SELECT composites FROM role WHERE realm_id = $1 AND name = 'manager'", [realm.id]);
    assert.ok(String(manager.composites).includes(ids.staffRole), `manager's composites: ${manager.composites}`);
    const [spa] = await query(target.url, "SELECT representation FROM client WHERE id = $1", [ids.spa]);
    const spaRep = typeof spa.representation === 'string' ? JSON.parse(spa.representation) : spa.representation;
    const tenant = (spaRep.protocolMappers ?? []).find((m: { name: string }) => m.name === 'tenant');
    assert.equal(tenant?.config?.['claim.value'], 'acme', JSON.stringify(spaRep.protocolMappers));
  });

  it('imports every key with its kid: the HMAC key that signed the refresh tokens and the RSA keys of the JWKS, published again', async () => {
    const [realm] = await query(target.url, 'SELECT id FROM realm WHERE name = $1', [REALM]);
    const keys = await query(target.url, 'SELECT kid, kind, algorithm, active FROM realm_key WHERE realm_id = $1', [realm.id]);
    const hmac = keys.find((k) => k.kid === hmacKid);
    assert.deepEqual(hmac && { kind: hmac.kind, algorithm: hmac.algorithm, active: Number(hmac.active) }, { kind: 'hmac', algorithm: 'HS512', active: 1 });
    for (const jwk of jwksBefore) assert.ok(keys.some((k) => k.kid === jwk.kid && k.algorithm === jwk.alg), `kid ${jwk.kid} (${jwk.alg}) missing`);
    const app = await testApp({ db: 'postgres', dbUrl: target.url, kek: { file: kekFile } });
    try {
      const certs = await app.app.inject({ method: 'GET', url: `/realms/${REALM}/protocol/openid-connect/certs` });
      const published = (certs.json() as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
      for (const jwk of jwksBefore) assert.ok(published.includes(jwk.kid), `holdfast's JWKS lacks ${jwk.kid}`);
    } finally {
      await app.close();
    }
  });

  it('carries the live sessions with their ids, times and rotation state, and not the logged-out one', async () => {
    const sid = (t: Tokens) => decodeJwt(t.refresh_token).sid as string;
    const sessions = await query(target.url, 'SELECT id, offline, user_id, started, last_refresh FROM user_session ORDER BY id');
    const kcSessions = await query(keycloak.dbUrl, 'SELECT user_session_id AS id, offline_flag, created_on, last_session_refresh FROM offline_user_session WHERE realm_id = (SELECT id FROM realm WHERE name = $1)', [REALM]);
    assert.deepEqual(
      sessions.map((s) => [s.id, Number(s.offline), s.started, s.last_refresh]).sort(),
      kcSessions.map((s) => [s.id, Number(s.offline_flag), s.created_on, s.last_session_refresh]).sort(),
    );
    const byId = new Map(sessions.map((s) => [`${s.id}/${s.offline}`, s]));
    assert.equal(byId.get(`${sid(tokens.alice2)}/0`)?.user_id, ids.alice);
    assert.equal(byId.get(`${sid(tokens.bob)}/1`)?.user_id, ids.bob);
    assert.equal(byId.get(`${sid(tokens.spa)}/0`)?.user_id, ids.alice);
    assert.ok(!sessions.some((s) => s.id === sid(tokens.carol)), 'the logged-out session came back');
    const [chain] = await query(target.url, 'SELECT client_uuid, scope, refresh_jti, refresh_uses FROM client_session WHERE user_session_id = $1', [sid(tokens.alice2)]);
    // Keycloak notes the jti of the refresh token last presented in the chain, and how often it was.
    assert.deepEqual(chain, { client_uuid: ids.backend, scope: 'openid', refresh_jti: decodeJwt(tokens.alice1.refresh_token).jti, refresh_uses: 1 });
    const [offline] = await query(target.url, 'SELECT client_uuid, scope FROM client_session WHERE user_session_id = $1 AND offline = 1', [sid(tokens.bob)]);
    assert.equal(offline.client_uuid, ids.mobile);
    assert.match(offline.scope, /offline_access/);
  });

  it('a second run updates what the first wrote: same sessions, no duplicates', async () => {
    const before = await query(target.url, 'SELECT id, offline FROM user_session ORDER BY id, offline');
    const second = await migrate(readOnlyUrl, ['--json']);
    assert.equal(second.code, 0, second.output);
    const report = JSON.parse(second.output.slice(second.output.indexOf('{')));
    assert.deepEqual(report.realms[0].carried, { online: 2, offline: 1, clientSessions: 3 });
    assert.equal(report.realms[0].verified, true);
    assert.deepEqual(await query(target.url, 'SELECT id, offline FROM user_session ORDER BY id, offline'), before);
    assert.equal((await query(target.url, 'SELECT count(*)::int AS n FROM realm WHERE name = $1', [REALM]))[0].n, 1);
    assert.equal((await query(target.url, 'SELECT count(*)::int AS n FROM app_user'))[0].n >= 3, true);
  });

  it('refuses a database that is not Keycloak\'s, another Keycloak version, and a missing column, writing nothing', async () => {
    const empty = await freshDatabase('holdfast_kcmig_empty');
    const fresh = await freshDatabase('holdfast_kcmig_untouched');
    try {
      const notKeycloak = await runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', empty.url, '--db', 'postgres', '--db-url', fresh.url, '--kek-file', kekFile], 300_000);
      assert.equal(notKeycloak.code, 1, notKeycloak.output);
      assert.match(notKeycloak.output, /not a Keycloak database.*nothing was written/);

      const postgres = keycloak.dbUrl.replace(/\/[^/]+$/, '/postgres');
      for (const [suffix, change, expected] of [
        ['v25', "UPDATE migration_model SET version = '25.0.6'", /Keycloak 25\.0\.6 is not supported/],
        ['nocol', 'ALTER TABLE offline_user_session DROP COLUMN last_session_refresh', /lacks .*OFFLINE_USER_SESSION\.LAST_SESSION_REFRESH/],
      ] as const) {
        const name = `${keycloak.dbName}_${suffix}`;
        copies.push(name);
        await query(postgres, `CREATE DATABASE ${name} TEMPLATE ${keycloak.dbName}`);
        await query(keycloak.dbUrl.replace(/\/[^/]+$/, `/${name}`), change);
        const run = await runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', keycloak.dbUrl.replace(/\/[^/]+$/, `/${name}`), '--db', 'postgres', '--db-url', fresh.url, '--kek-file', kekFile], 300_000);
        assert.equal(run.code, 1, run.output);
        assert.match(run.output, expected);
      }
      const realms = await query(fresh.url, "SELECT name FROM realm WHERE name <> 'master'");
      assert.deepEqual(realms, []);
      assert.equal((await query(fresh.url, 'SELECT count(*)::int AS n FROM user_session'))[0].n, 0);
    } finally {
      await empty.drop();
      await fresh.drop();
    }
  });
  it("verifies Keycloak's own password hash on holdfast (a password grant as bob)", async () => {
    const app = await testApp({ db: 'postgres', dbUrl: target.url, kek: { file: kekFile } });
    try {
      // Keycloak's own password hash, as it stored it, verifies on holdfast.
      const login = await app.app.inject({ method: 'POST', url: `/realms/${REALM}/protocol/openid-connect/token`, ...form({ grant_type: 'password', client_id: 'backend', client_secret: SECRET, username: 'bob', password: 'bob-password' }) });
      assert.equal(login.statusCode, 200, login.body);
      assert.equal(decodeJwt(login.json().access_token).sub, ids.bob);
    } finally {
      await app.close();
    }
  });
});
