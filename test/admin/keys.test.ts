/**
 * Realm keys (issue #12.8) through @keycloak/keycloak-admin-client 26 against a real listening
 * holdfast: `GET /keys` and the JWKS with certificates, key provider components (create, find,
 * update, delete) with Keycloak's validation messages and nothing written on bad input, rotation
 * with live tokens (a new key signs, the passive one still verifies and refreshes, a disabled one
 * does neither, the last one removed gives Keycloak's fallback key), ES256 as the realm's
 * algorithm, an imported `rsa` private key, and export → import into a fresh data directory
 * keeping a refresh token valid (sessions live in Redis under a throwaway key prefix, so the
 * session outlives the data directory, and only the keys decide); a Keycloak-shaped full export
 * imports with its keys. SQLite and PostgreSQL (a throwaway database). A database from before key
 * providers gets its keys as components, with certificates, and its tokens keep verifying.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { exportRealm } from '../../src/admin/index.ts';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';
import { form, testApp } from '../support/app.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { tempDir } from '../support/process.ts';
import { undoMigrationsFrom } from '../support/undo-migrations.ts';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';
import { deleteRedisKeys } from '../support/redis-keys.ts';

const REALM = 'keys';
const REDIS_URL = 'redis://127.0.0.1:6379';
const KEY_PROVIDER = 'org.keycloak.keys.KeyProvider';

const header = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));

for (const dialect of ['sqlite', 'postgres'] as const) describe(`admin API: keys (${dialect})`, () => {
  let server: AdminServer;
  let database: FreshDatabase | undefined;
  let kc: KcAdminClient;
  let token: string;
  let realmId: string;
  // One hostname for both servers of the export test, so tokens keep their issuer.
  const sessions = { hostname: 'http://idp.test', sessions: 'redis' as const, sessionsUrl: REDIS_URL, sessionsKeyPrefix: `holdfast-keys-test:${randomBytes(6).toString('hex')}:` };
  const request = (method: string, path: string, body?: unknown) => adminRequest(server.url, token, method, path, body);
  const login = () => tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'app', client_secret: 'app-secret', username: 'alice', password: 'alice-pw' });
  const refresh = (refreshToken: string, url = server.url) => tokenFor(url, REALM, { grant_type: 'refresh_token', client_id: 'app', client_secret: 'app-secret', refresh_token: refreshToken });
  const userinfo = async (accessToken: string) => (await fetch(`${server.url}/realms/${REALM}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
  const jwks = async () => (await (await fetch(`${server.url}/realms/${REALM}/protocol/openid-connect/certs`)).json()).keys as Array<Record<string, any>>;
  const providers = () => kc.components.find({ type: KEY_PROVIDER });
  const tokens = async () => {
    const response = await login();
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as { access_token: string; refresh_token: string };
  };
  const rsaProvider = (name: string, priority: number, extra: Record<string, string[]> = {}) => ({ name, providerId: 'rsa-generated', providerType: KEY_PROVIDER, parentId: realmId, config: { priority: [String(priority)], ...extra } });

  before(async () => {
    if (dialect === 'postgres') database = await freshDatabase();
    server = await startAdminServer({ ...sessions, ...(database ? { db: 'postgres', dbUrl: database.url, kek: { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() } } : {}) });
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
    realmId = (await kc.realms.findOne({ realm: REALM }))!.id!;
    await kc.clients.create({ clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true });
    await kc.users.create({ username: 'alice', enabled: true, credentials: [{ type: 'password', value: 'alice-pw', temporary: false }] });
  });
  after(async () => {
    await server?.close();
    await database?.drop();
    await deleteRedisKeys(REDIS_URL, sessions.sessionsKeyPrefix);
  });

  it('a new realm has Keycloak 26 keys: GET /keys, components without secrets, a certificate per RSA key in the JWKS', async () => {
    const keys = await kc.realms.getKeys({ realm: REALM });
    assert.deepEqual(Object.keys(keys.active!).sort(), ['AES', 'HS512', 'RS256']);
    const rsa = keys.keys!.find((k) => k.algorithm === 'RS256')!;
    assert.equal(rsa.status, 'ACTIVE');
    assert.equal(rsa.type, 'RSA');
    assert.equal((rsa as { use?: string }).use, 'SIG');
    assert.equal(rsa.providerPriority, 100);
    const certificate = new X509Certificate(Buffer.from(rsa.certificate!, 'base64'));
    assert.equal(certificate.subject, `CN=${REALM}`);
    assert.equal(Date.parse(certificate.validTo), (rsa as { validTo?: number }).validTo);
    assert.equal(createPublicKey({ key: Buffer.from(rsa.publicKey!, 'base64'), format: 'der', type: 'spki' }).equals(certificate.publicKey), true);

    const list = await providers();
    assert.deepEqual(list.map((c) => c.name).sort(), ['aes-generated', 'hmac-generated-hs512', 'rsa-generated']);
    for (const component of list) {
      assert.equal(component.parentId, realmId);
      assert.equal(component.providerType, KEY_PROVIDER);
      assert.deepEqual(Object.keys(component.config!).filter((k) => ['privateKey', 'secret', 'certificate'].includes(k)), []);
    }
    assert.equal(rsa.providerId, list.find((c) => c.name === 'rsa-generated')!.id);

    const published = await jwks();
    assert.equal(published.length, 1);
    assert.equal(published[0].kid, rsa.kid);
    assert.deepEqual(published[0].x5c, [rsa.certificate]);
    assert.equal(published[0]['x5t#S256'], Buffer.from(certificate.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url'));
    assert.equal(header((await tokens()).access_token).kid, rsa.kid);
  });

  it('rotation: a higher-priority key signs, the passive one still verifies and refreshes, a disabled one neither; the last one gone gives a fallback', async () => {
    const before = await tokens();
    const oldKid = header(before.access_token).kid;
    const { id } = await kc.components.create(rsaProvider('rotated', 200, { keySize: ['2048'] }));
    const after = await tokens();
    const newKid = header(after.access_token).kid;
    assert.notEqual(newKid, oldKid);
    assert.equal((await kc.realms.getKeys({ realm: REALM })).active!.RS256, newKid);

    const old = (await providers()).find((c) => c.name === 'rsa-generated')!;
    await kc.components.update({ id: old.id! }, { ...old, config: { ...old.config, active: ['false'] } });
    assert.equal((await kc.realms.getKeys({ realm: REALM })).keys!.find((k) => k.kid === oldKid)!.status, 'PASSIVE');
    assert.deepEqual((await jwks()).map((k) => k.kid).sort(), [newKid, oldKid].sort());
    assert.equal(await userinfo(before.access_token), 200);
    const refreshed = await refresh(before.refresh_token);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(header(refreshed.body.access_token).kid, newKid);

    await kc.components.update({ id: old.id! }, { ...old, config: { ...old.config, enabled: ['false'] } });
    assert.equal((await kc.realms.getKeys({ realm: REALM })).keys!.find((k) => k.kid === oldKid)!.status, 'DISABLED');
    assert.deepEqual((await jwks()).map((k) => k.kid), [newKid]);
    assert.equal(await userinfo(before.access_token), 401);

    await kc.components.del({ id: old.id! });
    await kc.components.del({ id });
    const fallback = (await providers()).find((c) => c.name === 'fallback-RS256');
    assert.ok(fallback, 'Keycloak makes fallback-RS256 when no RS256 key is left');
    assert.deepEqual(fallback.config!.priority, ['-100']);
    assert.equal(header((await tokens()).access_token).kid, (await kc.realms.getKeys({ realm: REALM })).active!.RS256);
    assert.equal(await userinfo(after.access_token), 401);
  });

  it('HMAC rotation keeps refresh tokens of the passive key refreshing', async () => {
    const before = await tokens();
    const oldKid = header(before.refresh_token).kid;
    await kc.components.create({ name: 'hmac-new', providerId: 'hmac-generated', providerType: KEY_PROVIDER, config: { priority: ['200'], algorithm: ['HS512'] } });
    const old = (await providers()).find((c) => c.name === 'hmac-generated-hs512')!;
    await kc.components.update({ id: old.id! }, { ...old, config: { ...old.config, active: ['false'] } });
    const refreshed = await refresh(before.refresh_token);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.notEqual(header(refreshed.body.refresh_token).kid, oldKid);
    await kc.components.del({ id: old.id! });
    assert.equal((await refresh(before.refresh_token)).status, 400);
  });

  it('an `rsa` provider takes a PEM private key, shows it masked, and keeps it when the mask is sent back', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const { id } = await kc.components.create({ name: 'imported', providerId: 'rsa', providerType: KEY_PROVIDER, config: { priority: ['500'], privateKey: [pem] } });
    const shown = await kc.components.findOne({ id });
    assert.deepEqual(shown!.config!.privateKey, ['**********']);
    assert.ok(new X509Certificate(Buffer.from(shown!.config!.certificate![0], 'base64')).publicKey.equals(publicKey));
    const kid = (await kc.realms.getKeys({ realm: REALM })).active!.RS256;
    const jwk = (await jwks()).find((k) => k.kid === kid)!;
    assert.equal(jwk.n, publicKey.export({ format: 'jwk' }).n);
    await kc.components.update({ id }, { ...shown!, config: { ...shown!.config, priority: ['400'] } });
    assert.equal((await kc.realms.getKeys({ realm: REALM })).active!.RS256, kid);
    await kc.components.del({ id });
  });

  it('least privilege: manage-realm alone may add a generated key, not a private key it knows (that would mint any token)', async () => {
    await userWithManagementRoles(server.url, REALM, 'keeper', ['manage-realm', 'view-realm']);
    const keeper = await adminClient(server.url, { realm: REALM, username: 'keeper', password: 'keeper-pw' }, REALM);
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const before = JSON.stringify(await providers());
    const refused = await failure(keeper.components.create({ name: 'mine', providerId: 'rsa', providerType: KEY_PROVIDER, config: { priority: ['900'], privateKey: [pem] } }));
    assert.equal(refused.status, 403);
    assert.equal(JSON.stringify(await providers()), before);
    const { id } = await keeper.components.create(rsaProvider('keeper-generated', 1));
    await keeper.components.del({ id });
  });

  it('ES256 as the realm algorithm: tokens are signed with an EC key that the JWKS publishes', async () => {
    await kc.components.create({ name: 'ec', providerId: 'ecdsa-generated', providerType: KEY_PROVIDER, config: { priority: ['100'], ecdsaEllipticCurveKey: ['P-256'] } });
    await kc.realms.update({ realm: REALM }, { defaultSignatureAlgorithm: 'ES256' });
    const issued = await tokens();
    assert.equal(header(issued.access_token).alg, 'ES256');
    const jwk = (await jwks()).find((k) => k.kid === header(issued.access_token).kid)!;
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.crv, 'P-256');
    assert.equal(await userinfo(issued.access_token), 200);
    assert.equal((await request('PUT', `/${REALM}`, { defaultSignatureAlgorithm: 'HS256' })).status, 400);
    await kc.realms.update({ realm: REALM }, { defaultSignatureAlgorithm: 'RS256' });
  });

  it('refuses bad component bodies with 400 and writes nothing', async () => {
    const snapshot = JSON.stringify(await providers());
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'x', providerId: 'rsa-generated', providerType: 'org.keycloak.storage.UserStorageProvider', config: {} }, /providerType 'org.keycloak.storage.UserStorageProvider'/],
      [{ name: 'x', providerId: 'rsa-generated', config: {} }, /providerType is required/],
      [{ name: 'x', providerId: 'nope', providerType: KEY_PROVIDER, config: {} }, /Unknown key provider 'nope'/],
      [rsaProvider('x', 1, { keySize: ['1000'] }), /'Key size' should be 1024, 2048, 3072 or 4096/],
      [rsaProvider('x', 1, { algorithm: ['HS256'] }), /'Algorithm' should be/],
      [rsaProvider('x', 1, { active: ['maybe'] }), /'Active' should be 'true' or 'false'/],
      [rsaProvider('x', 1, { privateKey: ['MIIB'] }), /Unknown setting 'privateKey'/],
      [{ ...rsaProvider('x', 1), config: { priority: ['abc'] } }, /'Priority' should be a number/],
      [{ ...rsaProvider('x', 1), parentId: 'elsewhere' }, /parentId/],
      [{ name: 'x', providerId: 'rsa', providerType: KEY_PROVIDER, config: {} }, /'Private RSA Key' is required/],
      [{ name: 'x', providerId: 'rsa', providerType: KEY_PROVIDER, config: { privateKey: ['garbage'] } }, /Failed to decode private key/],
      [{ name: 'x', providerId: 'hmac-generated', providerType: KEY_PROVIDER, config: { secretSize: ['7'] } }, /'Secret size' should be 16, 24, 32, 64, 128, 256 or 512/],
      [{ name: 'x', providerId: 'ecdsa-generated', providerType: KEY_PROVIDER, config: { ecdsaEllipticCurveKey: ['P-999'] } }, /'Elliptic Curve' should be P-256, P-384 or P-521/],
      [{ name: 'x', providerId: 'rsa-generated', providerType: KEY_PROVIDER, config: { priority: '5' } }, /config.priority: expected an array/],
    ];
    for (const [body, message] of cases) {
      const response = await request('POST', `/${REALM}/components`, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(response.body.errorMessage, message);
    }
    assert.equal((await request('GET', `/${REALM}/components/nope`)).status, 404);
    assert.equal(JSON.stringify(await providers()), snapshot);
  });

  it('export → import into a fresh data directory keeps the keys, and a refresh token issued before still refreshes', async () => {
    const issued = await tokens();
    const file = await exportRealm(server.holdfast.ctx.realms.repository, REALM, { includeUsers: true });
    const exported = (file.components as Record<string, Array<{ config: Record<string, string[]> }>>)[KEY_PROVIDER];
    assert.ok(exported.some((c) => c.config.privateKey && c.config.certificate));
    assert.ok(exported.some((c) => c.config.secret && c.config.kid));
    const fresh = await startAdminServer(sessions);
    try {
      const status = (await adminRequest(fresh.url, await masterToken(fresh.url), 'POST', '', file)).status;
      assert.equal(status, 201);
      const refreshed = await refresh(issued.refresh_token, fresh.url);
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      const again = await exportRealm(fresh.holdfast.ctx.realms.repository, REALM, { includeUsers: false });
      assert.deepEqual(again.components, file.components);
    } finally {
      await fresh.close();
    }
  });

  it('imports a Keycloak full export with its key material', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = (privateKey.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('base64');
    const secret = Buffer.alloc(64, 7).toString('base64url');
    const keycloakFile = {
      realm: 'from-keycloak',
      enabled: true,
      components: {
        [KEY_PROVIDER]: [
          { id: 'c-rsa', name: 'rsa-generated', providerId: 'rsa-generated', subComponents: {}, config: { privateKey: [der], keyUse: ['SIG'], priority: ['100'] } },
          { id: 'c-hmac', name: 'hmac-generated-hs512', providerId: 'hmac-generated', subComponents: {}, config: { kid: ['kc-hmac-kid'], secret: [secret], priority: ['100'], algorithm: ['HS512'] } },
          { id: 'c-aes', name: 'aes-generated', providerId: 'aes-generated', subComponents: {}, config: { kid: ['kc-aes-kid'], secret: [Buffer.alloc(16, 1).toString('base64url')], priority: ['100'] } },
        ],
      },
    };
    assert.equal((await request('POST', '', keycloakFile)).status, 201);
    const master = await adminClient(server.url, {}, 'from-keycloak');
    const keys = await master.realms.getKeys({ realm: 'from-keycloak' });
    assert.equal(keys.active!.HS512, 'kc-hmac-kid');
    assert.equal(keys.active!.AES, 'kc-aes-kid');
    const jwk = (await (await fetch(`${server.url}/realms/from-keycloak/protocol/openid-connect/certs`)).json()).keys[0];
    assert.equal(jwk.n, createPublicKey(privateKey).export({ format: 'jwk' }).n);
    const bad = structuredClone(keycloakFile);
    bad.realm = 'bad-keys';
    bad.components[KEY_PROVIDER][0].config.privateKey = ['garbage'];
    const refused = await request('POST', '', bad);
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /components\.org\.keycloak\.keys\.KeyProvider\[0\].*Failed to decode private key/);
    assert.equal((await request('GET', '/bad-keys')).status, 404);
  });
});

describe('keys on upgrade', () => {
  it('turns the keys of a database from before key providers into components with certificates; tokens issued before still verify and refresh', async () => {
    const dataDir = tempDir('holdfast-keys-upgrade-');
    const demo = '/realms/demo/protocol/openid-connect';
    const alice = { grant_type: 'password', username: 'alice', password: 'alice', client_id: 'demo-service', client_secret: 'demo-service-secret' };
    try {
      let t = await testApp({ dataDir });
      const issued = (await t.app.inject({ method: 'POST', url: `${demo}/token`, ...form(alice) })).json();
      await t.close();
      // Back to the release before: no component columns, no aes-generated key, migration 009 not run.
      const file = fs.readdirSync(dataDir).find((f) => f.endsWith('.db'))!;
      const db = new Database(path.join(dataDir, file));
      undoMigrationsFrom(db, '009-key-providers');
      db.close();

      t = await testApp({ dataDir });
      const refreshed = await t.app.inject({ method: 'POST', url: `${demo}/token`, ...form({ ...alice, grant_type: 'refresh_token', refresh_token: issued.refresh_token }) });
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      const userinfo = await t.app.inject({ method: 'GET', url: `${demo}/userinfo`, headers: { authorization: `Bearer ${issued.access_token}` } });
      assert.equal(userinfo.statusCode, 200);
      const jwk = (await t.app.inject({ method: 'GET', url: `${demo}/certs` })).json().keys[0];
      assert.equal(jwk.kid, header(issued.access_token).kid);
      assert.equal(new X509Certificate(Buffer.from(jwk.x5c[0], 'base64')).subject, 'CN=demo');
      const realm = (await t.ctx.realms.getRealm('demo'))!;
      const components = (await t.ctx.realms.repository.listKeys(realm.realm.id)).flatMap((k) => (k.component ? [`${k.component.name}:${k.component.priority}`] : [])).sort();
      assert.deepEqual(components, ['hmac-generated-hs512:100', 'rsa-generated:100']);
      await t.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
