/**
 * Realm imports never drop anything silently (DESIGN rule 9): a Keycloak 26 export with parts
 * holdfast cannot honour (a WebAuthn user, LDAP federation, an identity provider, a SAML client, …)
 * is refused as a whole with the list and nothing written, on SQLite and PostgreSQL, through
 * `POST /admin/realms`, `holdfast import` and `start --import-realm`; with the operator's override
 * it imports and lists what was not honoured. A plain export imports quietly, a SAML client is
 * never served by the OpenID Connect endpoints, the partial export masks secrets, and the partial
 * import adds, skips or overwrites users, clients, roles and groups with Keycloak's result body.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../../src/app.ts';
import { lossyParts } from '../../src/admin/realm-file/lossy-parts.ts';
import { importRealmsOnStart, StartImportError } from '../../src/cli/import-on-start.ts';
import { testConfig } from '../../src/config/index.ts';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';
import { FIXTURE_CLIENT, FIXTURE_FILE, FIXTURE_PASSWORDS, LOSSY_PATHS, lossyVariant } from '../fixtures/generate-keycloak-realm.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { ROOT, tempDir } from '../support/process.ts';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';

const fixture = (): Record<string, any> => JSON.parse(fs.readFileSync(FIXTURE_FILE, 'utf8'));
const paths = (findings: Array<{ path: string }>) => findings.map((f) => f.path).sort();

function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args, '--log-level', 'warn'], { cwd: ROOT, timeout: 120_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

describe('what a realm file carries that holdfast cannot honour', () => {
  it('a plain Keycloak 26 export (built-in flows, required actions, components) refuses nothing', () => {
    const parts = lossyParts(fixture());
    assert.deepEqual(parts.refused, []);
  });

  it('the lossy variant refuses exactly the WebAuthn credential, the LDAP federation and the SAML identity provider (its password policy is honoured)', () => {
    assert.deepEqual(paths(lossyParts(lossyVariant(fixture())).refused), [...LOSSY_PATHS].sort());
  });

  it('refuses each security-relevant part, and lists harmless ones as ignored', () => {
    const cases: Array<[string, (f: Record<string, any>) => void, string, 'refused' | 'ignored']> = [
      ['OTP required in the browser flow', (f) => (f.authenticationFlows.find((x: any) => x.alias === 'Browser - Conditional OTP').authenticationExecutions[0].requirement = 'DISABLED'), 'browserFlow', 'refused'],
      ['a custom browser flow with WebAuthn', (f) => {
        f.authenticationFlows.push({ id: 'custom-id', alias: 'strong', providerId: 'basic-flow', topLevel: true, builtIn: false, authenticationExecutions: [{ authenticator: 'auth-username-password-form', requirement: 'REQUIRED' }, { authenticator: 'webauthn-authenticator', requirement: 'REQUIRED' }] });
        f.browserFlow = 'strong';
      }, 'browserFlow', 'refused'],
      ['a client override binding a strong flow', (f) => {
        f.authenticationFlows.push({ id: 'strong-id', alias: 'strong', providerId: 'basic-flow', topLevel: true, builtIn: false, authenticationExecutions: [{ authenticator: 'auth-otp-form', requirement: 'REQUIRED' }] });
        f.clients[4].authenticationFlowBindingOverrides = { direct_grant: 'strong-id' };
      }, 'clients[4].authenticationFlowBindingOverrides.direct_grant', 'refused'],
      ['an unused custom flow', (f) => f.authenticationFlows.push({ id: 'x', alias: 'unused', topLevel: true, builtIn: false, authenticationExecutions: [{ authenticator: 'auth-otp-form', requirement: 'REQUIRED' }] }), 'authenticationFlows[11]', 'ignored'],
      ['client-x509 (mutual TLS) authentication', (f) => (f.clients[4].clientAuthenticatorType = 'client-x509'), 'clients[4].clientAuthenticatorType', 'refused'],
      ['a SAML client', (f) => f.clients.push({ clientId: 'sp', protocol: 'saml' }), 'clients[6].protocol', 'refused'],
      ['authorization services', (f) => (f.clients[4].authorizationSettings = { resources: [] }), 'clients[4].authorizationSettings', 'refused'],
      ['an unknown mapper type on a scope', (f) => f.clientScopes[3].protocolMappers.push({ name: 'pairwise', protocol: 'openid-connect', protocolMapper: 'oidc-sha256-pairwise-sub-mapper', config: {} }), 'clientScopes[3].protocolMappers[14]', 'refused'],
      ['LDAP user federation', (f) => (f.components['org.keycloak.storage.UserStorageProvider'] = [{ name: 'ldap', providerId: 'ldap', config: {} }]), 'components.org.keycloak.storage.UserStorageProvider[0]', 'refused'],
      ['a default required action holdfast cannot run', (f) => (f.requiredActions[6].defaultAction = true), 'requiredActions[6]', 'refused'],
      ['a user required action holdfast cannot run', (f) => (f.users[0].requiredActions = ['webauthn-register']), 'users[0].requiredActions[0]', 'refused'],
      ['a WebAuthn credential', (f) => f.users[1].credentials.push({ type: 'webauthn', secretData: '{}', credentialData: '{}' }), 'users[1].credentials[1]', 'refused'],
      ['encrypted request objects', (f) => (f.clients[5].attributes['request.object.encryption.alg'] = 'RSA-OAEP'), 'clients[5].attributes.request.object.encryption.alg', 'refused'],
      ['certificate-bound tokens (mTLS)', (f) => (f.clients[5].attributes['tls.client.certificate.bound.access.tokens'] = 'true'), 'clients[5].attributes.tls.client.certificate.bound.access.tokens', 'refused'],
      ['a theme', (f) => (f.loginTheme = 'shop'), 'loginTheme', 'ignored'],
      ['a field from a newer Keycloak', (f) => (f.somethingNew = { a: 1 }), 'somethingNew', 'ignored'],
      ['a masked secret', (f) => (f.clients[4].secret = '**********'), 'clients[4].secret', 'ignored'],
    ];
    for (const [name, change, at, verdict] of cases) {
      const file = fixture();
      change(file);
      const parts = lossyParts(file);
      assert.ok(parts[verdict].some((f) => f.path === at), `${name}: expected ${verdict} at ${at}, got ${JSON.stringify(parts)}`);
      if (verdict === 'ignored') assert.deepEqual(parts.refused, [], name);
    }
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`POST /admin/realms with a lossy Keycloak export (${dialect})`, () => {
    let database: FreshDatabase | undefined;
    let server: AdminServer;

    before(async () => {
      if (dialect === 'postgres') database = await freshDatabase();
      server = await startAdminServer(database ? { db: 'postgres', dbUrl: database.url, kek: { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() } } : {});
    });
    after(async () => {
      await server.close();
      await database?.drop();
    });

    it('refuses it as a whole with the list, writing nothing', async () => {
      const kc = await adminClient(server.url);
      const refused = await failure(kc.realms.create(lossyVariant(fixture())));
      assert.equal(refused.status, 400);
      assert.match(refused.body.errorMessage, /cannot honour .*nothing was imported.*allowLossyImport=true/);
      assert.deepEqual(paths(refused.body.refused), [...LOSSY_PATHS].sort());
      assert.ok(refused.body.ignored.length > 0);
      assert.equal(await kc.realms.findOne({ realm: 'shop' }), null);
      assert.equal((await tokenFor(server.url, 'shop', { grant_type: 'password', client_id: FIXTURE_CLIENT.clientId, client_secret: FIXTURE_CLIENT.secret, username: 'alice', password: FIXTURE_PASSWORDS.alice })).status, 404, 'no realm shop');
    });

    it('imports it with allowLossyImport=true, listing what was not honoured', async () => {
      const token = await masterToken(server.url);
      const created = await adminRequest(server.url, token, 'POST', '?allowLossyImport=true', lossyVariant(fixture()));
      assert.equal(created.status, 201);
      assert.match(created.headers.get('location') ?? '', /\/admin\/realms\/shop$/);
      assert.deepEqual(paths(created.body.notHonoured), [...LOSSY_PATHS].sort());
      const kc = await adminClient(server.url, {}, 'shop');
      assert.deepEqual((await kc.groups.find()).map((g) => g.path), ['/staff']);
      assert.equal(await kc.users.count(), 3);
      await kc.realms.del({ realm: 'shop' });
    });

    it('imports a file with an unknown mapper type with allowLossyImport=true, leaving that mapper out and listing it', async () => {
      const token = await masterToken(server.url);
      const file = fixture();
      file.clientScopes[3].protocolMappers.push({ name: 'pairwise', protocol: 'openid-connect', protocolMapper: 'oidc-sha256-pairwise-sub-mapper', config: {} });
      const created = await adminRequest(server.url, token, 'POST', '?allowLossyImport=true', file);
      assert.equal(created.status, 201);
      assert.deepEqual(paths(created.body.notHonoured), ['clientScopes[3].protocolMappers[14]']);
      const kc = await adminClient(server.url, {}, 'shop');
      const scope = (await kc.clientScopes.find()).find((s) => s.name === file.clientScopes[3].name)!;
      assert.equal(scope.protocolMappers?.some((m) => m.name === 'pairwise'), false);
      assert.equal(scope.protocolMappers?.length, 14);
      await kc.realms.del({ realm: 'shop' });
    });

    it('imports a plain Keycloak export quietly through the admin client', async () => {
      const kc = await adminClient(server.url);
      assert.deepEqual(await kc.realms.create(fixture()), { realmName: 'shop' });
      assert.equal((await tokenFor(server.url, 'shop', { grant_type: 'password', client_id: FIXTURE_CLIENT.clientId, client_secret: FIXTURE_CLIENT.secret, username: 'bob', password: FIXTURE_PASSWORDS.bob })).status, 200);
      await kc.realms.del({ realm: 'shop' });
    });

    it('refuses a bad override flag with 400', async () => {
      const bad = await adminRequest(server.url, await masterToken(server.url), 'POST', '?allowLossyImport=yes', fixture());
      assert.equal(bad.status, 400);
      assert.match(bad.body.errorMessage, /allowLossyImport: expected true or false/);
    });
  });
}

describe('a SAML client imported with the override', () => {
  let server: AdminServer;
  before(async () => {
    server = await startAdminServer();
    const file = fixture();
    file.clients.push({ clientId: 'sp', protocol: 'saml', secret: 'sp-secret', publicClient: false, redirectUris: ['https://sp.example/*'], directAccessGrantsEnabled: true, serviceAccountsEnabled: true });
    const created = await adminRequest(server.url, await masterToken(server.url), 'POST', '?allowLossyImport=true', file);
    assert.equal(created.status, 201);
    assert.deepEqual(paths(created.body.notHonoured), ['clients[6].protocol']);
  });
  after(() => server.close());

  it('is never served by the OpenID Connect endpoints ("Wrong client protocol.")', async () => {
    const token = await tokenFor(server.url, 'shop', { grant_type: 'client_credentials', client_id: 'sp', client_secret: 'sp-secret' });
    assert.deepEqual([token.status, token.body], [400, { error: 'invalid_client', error_description: 'Wrong client protocol.' }]);
    // A wrong secret reads as any failed authentication, as in Keycloak.
    assert.equal((await tokenFor(server.url, 'shop', { grant_type: 'client_credentials', client_id: 'sp', client_secret: 'wrong' })).status, 401);
    const introspect = await fetch(`${server.url}/realms/shop/protocol/openid-connect/token/introspect`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('sp:sp-secret').toString('base64')}` }, body: new URLSearchParams({ token: 'x' }) });
    assert.deepEqual([introspect.status, await introspect.json()], [400, { error: 'invalid_client', error_description: 'Wrong client protocol.' }]);
    const auth = await fetch(`${server.url}/realms/shop/protocol/openid-connect/auth?client_id=sp&redirect_uri=${encodeURIComponent('https://sp.example/x')}&response_type=code&scope=openid`);
    assert.equal(auth.status, 400);
    assert.match(await auth.text(), /Wrong client protocol\./);
  });
});

describe('the CLI with a lossy Keycloak export', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const lossyFile = (dir: string) => {
    const file = path.join(dir, 'shop-realm.json');
    fs.writeFileSync(file, JSON.stringify(lossyVariant(fixture())));
    return file;
  };

  it('holdfast import refuses it with the list and writes nothing; --allow-lossy-import imports it and lists what was not honoured', async () => {
    const dataDir = tempDir('holdfast-lossy-');
    dirs.push(dataDir);
    const file = lossyFile(dataDir);
    const refused = await cli('import', '--file', file, '--data-dir', dataDir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /shop-realm\.json: 3 part\(s\) of the file cannot be honoured; nothing was imported \(pass --allow-lossy-import/);
    for (const at of LOSSY_PATHS) assert.match(refused.stderr, new RegExp(`refused: ${at.replace(/[[\]]/g, '\\$&')}: `));
    const listing = path.join(dataDir, 'all.json');
    assert.equal((await cli('export', '--file', listing, '--data-dir', dataDir)).code, 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(listing, 'utf8')), []);

    const allowed = await cli('import', '--file', file, '--allow-lossy-import', '--data-dir', dataDir);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /imported realm 'shop' with 4 users/);
    assert.match(allowed.stderr, /not honoured \(--allow-lossy-import\): users\[2\]\.credentials\[2\]: a credential of type 'webauthn' is not verified/);
  });

  it('start --import-realm stops at a lossy file, and imports it with --allow-lossy-import', async () => {
    const dataDir = tempDir('holdfast-lossy-start-');
    dirs.push(dataDir);
    const importDir = path.join(dataDir, 'import');
    fs.mkdirSync(importDir);
    lossyFile(importDir);
    const holdfast = await buildApp({ config: testConfig({ dataDir }) });
    try {
      await assert.rejects(importRealmsOnStart(holdfast.ctx, importDir), (error: Error) => error instanceof StartImportError && /refused: identityProviders\[0\]: /.test(error.message) && /--allow-lossy-import/.test(error.message));
      assert.equal(await holdfast.ctx.realms.repository.findRealmByName('shop'), undefined);
      await importRealmsOnStart(holdfast.ctx, importDir, true);
      assert.ok(await holdfast.ctx.realms.repository.findRealmByName('shop'));
    } finally {
      await holdfast.close();
    }
  });
});

describe('partial export', () => {
  let server: AdminServer;
  before(async () => {
    server = await startAdminServer();
    await (await adminClient(server.url)).realms.create(fixture());
  });
  after(() => server.close());

  it('answers the realm without users, with clients and groups only when asked, secrets masked', async () => {
    const kc = await adminClient(server.url);
    const bare = await kc.realms.export({ realm: 'shop' });
    assert.equal(bare.realm, 'shop');
    assert.deepEqual([bare.users, bare.clients, bare.groups, bare.roles], [undefined, undefined, undefined, undefined]);
    assert.ok(bare.clientScopes?.some((s) => s.name === 'shop'));
    const full = await kc.realms.export({ realm: 'shop', exportClients: true, exportGroupsAndRoles: true });
    assert.equal(full.users, undefined);
    assert.equal(full.clients?.find((c) => c.clientId === FIXTURE_CLIENT.clientId)?.secret, '**********');
    assert.deepEqual(full.groups?.map((g) => g.path), ['/staff']);
    assert.ok(full.roles?.realm?.some((r) => r.name === 'support'));
  });

  it('imports back in place of the realm, with new secrets for the masked ones', async () => {
    const kc = await adminClient(server.url);
    const exported = await kc.realms.export({ realm: 'shop', exportClients: true, exportGroupsAndRoles: true });
    await kc.realms.del({ realm: 'shop' });
    const created = await adminRequest(server.url, await masterToken(server.url), 'POST', '', exported);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.ok(created.body.ignored.some((f: { reason: string }) => /secret is masked/.test(f.reason)));
    kc.setConfig({ realmName: 'shop' });
    const backend = (await kc.clients.find({ clientId: FIXTURE_CLIENT.clientId }))[0];
    assert.ok(backend.secret && backend.secret !== '**********' && backend.secret !== FIXTURE_CLIENT.secret);
    assert.deepEqual((await kc.groups.find()).map((g) => g.path), ['/staff']);
  });

  it('needs view-realm', async () => {
    const anonymous = await adminRequest(server.url, undefined, 'POST', '/shop/partial-export');
    assert.equal(anonymous.status, 401);
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`partial import (${dialect})`, () => {
    let database: FreshDatabase | undefined;
    let server: AdminServer;
    let kc: KcAdminClient;
    const body = (ifResourceExists: 'FAIL' | 'SKIP' | 'OVERWRITE') => ({
      ifResourceExists,
      clients: [{ clientId: 'pi-app', secret: 'pi-app-secret', directAccessGrantsEnabled: true, enabled: true }],
      roles: { realm: [{ name: 'pi-role', composites: { client: { 'pi-app': ['pi-client-role'] } } }], client: { 'pi-app': [{ name: 'pi-client-role' }] } },
      groups: [{ name: 'pi-team', realmRoles: ['pi-role'], subGroups: [{ name: 'night' }] }],
      users: [{ username: 'pia', enabled: true, firstName: ifResourceExists === 'OVERWRITE' ? 'Replaced' : 'Pia', groups: ['/pi-team/night'], credentials: [{ type: 'password', value: 'pia-pw' }] }],
    });
    const loginPia = () => tokenFor(server.url, 'shop', { grant_type: 'password', client_id: 'pi-app', client_secret: 'pi-app-secret', username: 'pia', password: 'pia-pw' });

    before(async () => {
      if (dialect === 'postgres') database = await freshDatabase();
      server = await startAdminServer(database ? { db: 'postgres', dbUrl: database.url, kek: { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() } } : {});
      await (await adminClient(server.url)).realms.create(fixture());
      kc = await adminClient(server.url, {}, 'shop');
    });
    after(async () => {
      await server.close();
      await database?.drop();
    });

    it('adds clients, realm and client roles, nested groups and users, with Keycloak\'s result body', async () => {
      const result = await kc.realms.partialImport({ realm: 'shop', rep: body('FAIL') as any });
      assert.deepEqual([result.added, result.skipped, result.overwritten], [5, 0, 0]);
      assert.deepEqual(
        result.results.map((r) => `${r.action} ${r.resourceType} ${r.resourceName}`),
        ['ADDED CLIENT pi-app', 'ADDED REALM_ROLE pi-role', 'ADDED CLIENT_ROLE pi-app-->pi-client-role', 'ADDED GROUP pi-team', 'ADDED USER pia'],
      );
      const login = await loginPia();
      assert.equal(login.status, 200);
      const claims = JSON.parse(Buffer.from(login.body.access_token.split('.')[1], 'base64url').toString('utf8'));
      assert.ok(claims.realm_access.roles.includes('pi-role'), 'through /pi-team above /pi-team/night');
      assert.deepEqual(claims.resource_access['pi-app'], { roles: ['pi-client-role'] }, 'through the composite');
    });

    it('FAIL answers Keycloak\'s 409 and writes nothing; SKIP leaves what exists', async () => {
      const fresh = { ...body('FAIL'), clients: [], roles: undefined, groups: [], users: [{ username: 'newcomer', enabled: true }, { username: 'pia', enabled: true }] };
      const failed = await failure(kc.realms.partialImport({ realm: 'shop', rep: fresh as any }));
      assert.deepEqual([failed.status, failed.body], [409, { errorMessage: 'User with user name pia already exists.' }]);
      assert.deepEqual(await kc.users.find({ username: 'newcomer', exact: true }), []);
      const clash = await failure(kc.realms.partialImport({ realm: 'shop', rep: { ifResourceExists: 'FAIL', clients: [{ clientId: 'pi-app' }] } as any }));
      assert.deepEqual(clash.body, { errorMessage: "Client id 'pi-app' already exists" });

      const skipped = await kc.realms.partialImport({ realm: 'shop', rep: body('SKIP') as any });
      assert.deepEqual([skipped.added, skipped.skipped, skipped.overwritten], [0, 5, 0]);
      assert.ok(skipped.results.every((r) => r.action === 'SKIPPED'));
    });

    it('OVERWRITE replaces them in place and ends the replaced user\'s sessions', async () => {
      const before = await loginPia();
      assert.equal(before.status, 200);
      const result = await kc.realms.partialImport({ realm: 'shop', rep: body('OVERWRITE') as any });
      assert.deepEqual([result.added, result.skipped, result.overwritten], [0, 0, 5]);
      const pia = (await kc.users.find({ username: 'pia', exact: true }))[0];
      assert.equal(pia.firstName, 'Replaced');
      assert.deepEqual((await kc.users.listGroups({ id: pia.id! })).map((g) => g.path), ['/pi-team/night']);
      const refresh = await tokenFor(server.url, 'shop', { grant_type: 'refresh_token', client_id: 'pi-app', client_secret: 'pi-app-secret', refresh_token: before.body.refresh_token });
      assert.equal(refresh.status, 400);
      assert.equal((await loginPia()).status, 200);
    });

    it('refuses a lossy body with the list unless allowLossyImport=true, and lists client scopes as ignored', async () => {
      const lossy = { ifResourceExists: 'FAIL', identityProviders: [{ alias: 'partner', providerId: 'saml' }], users: [{ username: 'webauthn-user', enabled: true, credentials: [{ type: 'webauthn', secretData: '{}', credentialData: '{}' }] }] };
      const refused = await failure(kc.realms.partialImport({ realm: 'shop', rep: lossy as any }));
      assert.equal(refused.status, 400);
      assert.deepEqual(paths(refused.body.refused), ['identityProviders[0]', 'users[0].credentials[0]']);
      assert.deepEqual(await kc.users.find({ username: 'webauthn-user', exact: true }), []);
      const token = await masterToken(server.url);
      const allowed = await adminRequest(server.url, token, 'POST', '/shop/partialImport?allowLossyImport=true', { ...lossy, clientScopes: [{ name: 'x' }] });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.body.added, 1);
      assert.deepEqual(paths(allowed.body.notHonoured), ['identityProviders[0]', 'users[0].credentials[0]']);
      assert.ok(allowed.body.ignored.some((f: { path: string }) => f.path === 'clientScopes'));
    });

    it('needs manage-realm and the power to grant every role it maps', async () => {
      await userWithManagementRoles(server.url, 'shop', 'realm-manager', ['manage-realm', 'manage-users']);
      const manager = await adminClient(server.url, { realm: 'shop', username: 'realm-manager', password: 'realm-manager-pw' }, 'shop');
      const grab = { users: [{ username: 'sneaky', enabled: true, clientRoles: { 'realm-management': ['realm-admin'] } }] };
      assert.equal((await failure(manager.realms.partialImport({ realm: 'shop', rep: grab as any }))).status, 403);
      const viaGroup = { groups: [{ name: 'admins', clientRoles: { 'realm-management': ['manage-clients'] } }] };
      assert.equal((await failure(manager.realms.partialImport({ realm: 'shop', rep: viaGroup as any }))).status, 403);
      assert.deepEqual(await kc.users.find({ username: 'sneaky', exact: true }), []);
      const plain = await manager.realms.partialImport({ realm: 'shop', rep: { users: [{ username: 'plain-user', enabled: true }] } as any });
      assert.equal(plain.added, 1);
      await userWithManagementRoles(server.url, 'shop', 'user-manager', ['manage-users']);
      const userManager = await adminClient(server.url, { realm: 'shop', username: 'user-manager', password: 'user-manager-pw' }, 'shop');
      assert.equal((await failure(userManager.realms.partialImport({ realm: 'shop', rep: { users: [{ username: 'x', enabled: true }] } as any }))).status, 403);
    });
  });
}
