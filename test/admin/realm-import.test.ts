/**
 * Realm import and export in Keycloak's format, through the real CLI (`holdfast import`,
 * `holdfast export`), `POST /admin/realms` and `start --import-realm`: a hand-built Keycloak 26
 * export (test/fixtures/keycloak-realm.json) imports, its argon2, pbkdf2-sha256 and
 * pbkdf2-sha512 users log in with their original passwords, export → import → export is
 * identical, and broken files are refused with the JSON path at fault and nothing written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config/index.ts';
import { FIXTURE_CLIENT, FIXTURE_FILE, FIXTURE_OTP_SECRET, FIXTURE_PASSWORDS } from '../fixtures/generate-keycloak-realm.ts';
import { totp } from '../authn/login-browser.ts';
import { ROOT, startHoldfast, tempDir as newTempDir } from '../support/process.ts';
import { adminClient, adminRequest, startAdminServer, tokenFor, type AdminServer } from './admin-support.ts';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args, '--log-level', 'warn'], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const created: string[] = [];
/** A scratch data directory, removed when the suite ends. */
function tempDir(prefix: string): string {
  const dir = newTempDir(prefix);
  created.push(dir);
  return dir;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const fixture = () => readJson(FIXTURE_FILE);

/** Seeds master (admin/admin) in a new data directory, as a first `start --demo` would. */
async function seededDataDir(): Promise<string> {
  const dataDir = tempDir('holdfast-import-');
  await (await buildApp({ config: testConfig({ dataDir }) })).close();
  return dataDir;
}

/** carol has the fixture's OTP credential: as in Keycloak, her password grant needs its code. */
const CAROL_OTP_KEY = Buffer.from(FIXTURE_OTP_SECRET, 'utf8');
const loginShop = (url: string, username: string, password: string) =>
  tokenFor(url, 'shop', {
    grant_type: 'password',
    client_id: FIXTURE_CLIENT.clientId,
    client_secret: FIXTURE_CLIENT.secret,
    username,
    password,
    scope: 'openid',
    ...(username === 'carol' ? { totp: totp(CAROL_OTP_KEY, Date.now()) } : {}),
  });

describe('realm import and export', () => {
  after(() => {
    for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('holdfast import of a Keycloak 26 export', () => {
    let dataDir: string;
    let server: AdminServer;
    let importRun: CliResult;

    before(async () => {
      dataDir = await seededDataDir();
      importRun = await cli('import', '--file', FIXTURE_FILE, '--data-dir', dataDir);
      server = await startAdminServer({ dataDir });
    });
    after(() => server.close());

    it('imports with progress and a summary', () => {
      assert.equal(importRun.code, 0, importRun.stderr);
      assert.match(importRun.stderr, /100% 4\/4 users .* users\/s {2}ETA/);
      assert.match(importRun.stderr, /imported realm 'shop' with 4 users/);
    });

    it('logs argon2, pbkdf2-sha256 and pbkdf2-sha512 users in with their original passwords', async () => {
      for (const [username, password] of Object.entries(FIXTURE_PASSWORDS)) {
        const ok = await loginShop(server.url, username, password);
        assert.equal(ok.status, 200, `${username}: ${JSON.stringify(ok.body)}`);
        assert.equal((await loginShop(server.url, username, `${password}-wrong`)).status, 401);
      }
    });

    it('keeps settings, roles, composites, clients, attributes, credentials and the service account', async () => {
      const kc = await adminClient(server.url, {}, 'shop');
      const realm = (await kc.realms.findOne({ realm: 'shop' }))!;
      const source = fixture();
      assert.equal(realm.id, source.id);
      assert.deepEqual([realm.revokeRefreshToken, realm.refreshTokenMaxReuse, realm.failureFactor, realm.ssoSessionIdleTimeout], [true, 1, 5, 3600]);
      assert.deepEqual(realm.defaultRole?.id, source.defaultRole.id);

      const alice = (await kc.users.find({ username: 'alice', exact: true }))[0];
      assert.deepEqual(alice.attributes, { locale: ['en'], loyalty: ['gold', 'early'] });
      assert.deepEqual((await kc.users.listCompositeRealmRoleMappings({ id: alice.id! })).map((r) => r.name).sort(), ['customer', 'default-roles-shop', 'offline_access', 'uma_authorization']);

      const backend = (await kc.clients.find({ clientId: 'shop-backend' }))[0];
      assert.equal(backend.id, source.clients.find((c: { clientId: string }) => c.clientId === 'shop-backend').id);
      assert.equal(backend.attributes?.['client.session.idle.timeout'], '1800');
      assert.equal(backend.secret, FIXTURE_CLIENT.secret);
      const support = (await kc.roles.findOneByName({ name: 'support' }))!;
      assert.deepEqual((await kc.roles.getCompositeRoles({ id: support.id! })).map((r) => r.name).sort(), ['customer', 'orders-read']);

      const serviceToken = await tokenFor(server.url, 'shop', { grant_type: 'client_credentials', client_id: FIXTURE_CLIENT.clientId, client_secret: FIXTURE_CLIENT.secret });
      assert.equal(serviceToken.status, 200);

      // bob holds realm-management view-users in the file: he is a (read-only) user admin here too.
      const bob = await tokenFor(server.url, 'shop', { grant_type: 'password', client_id: FIXTURE_CLIENT.clientId, client_secret: FIXTURE_CLIENT.secret, username: 'bob', password: FIXTURE_PASSWORDS.bob });
      assert.equal((await adminRequest(server.url, bob.body.access_token, 'GET', '/shop/users/count')).body, 3);
    });
  });

  it('export → import → export round-trips to an identical realm file, hashes untouched', async () => {
    const first = tempDir('holdfast-roundtrip-');
    assert.equal((await cli('import', '--file', FIXTURE_FILE, '--data-dir', first)).code, 0);
    const exportedA = path.join(first, 'a.json');
    const exportA = await cli('export', '--realm', 'shop', '--file', exportedA, '--data-dir', first);
    assert.equal(exportA.code, 0, exportA.stderr);

    const second = tempDir('holdfast-roundtrip-');
    assert.equal((await cli('import', '--file', exportedA, '--data-dir', second)).code, 0);
    const exportedB = path.join(second, 'b.json');
    assert.equal((await cli('export', '--realm', 'shop', '--file', exportedB, '--data-dir', second)).code, 0);

    const a = readJson(exportedA);
    assert.deepEqual(readJson(exportedB), a);
    const source = fixture();
    for (const user of source.users) {
      const exported = a.users.find((u: { username: string }) => u.username === user.username);
      assert.deepEqual(exported.credentials.map((c: { secretData: string }) => c.secretData), user.credentials.map((c: { secretData: string }) => c.secretData));
      assert.deepEqual([...exported.realmRoles].sort(), [...user.realmRoles].sort());
    }
    assert.equal(a.users.length, 4);

    const skipped = path.join(second, 'no-users.json');
    assert.equal((await cli('export', '--realm', 'shop', '--file', skipped, '--users', 'skip', '--data-dir', second)).code, 0);
    assert.equal(readJson(skipped).users, undefined);
  });

  it('refuses a broken file, naming the file and JSON path, and writes nothing', async () => {
    const dataDir = tempDir('holdfast-broken-');
    const broken = fixture();
    broken.users[2].credentials[0].secretData = '{"value": "abc", ';
    const file = path.join(dataDir, 'broken.json');
    fs.writeFileSync(file, JSON.stringify(broken));
    const run = await cli('import', '--file', file, '--data-dir', dataDir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken\.json: users\[2\]\.credentials\[0\]\.secretData: not valid JSON/);

    const truncated = path.join(dataDir, 'truncated.json');
    fs.writeFileSync(truncated, fs.readFileSync(FIXTURE_FILE, 'utf8').slice(0, 5000));
    const cut = await cli('import', '--file', truncated, '--data-dir', dataDir);
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /truncated\.json: not valid JSON/);

    const listing = await cli('export', '--file', path.join(dataDir, 'all.json'), '--data-dir', dataDir);
    assert.equal(listing.code, 0, listing.stderr);
    assert.deepEqual(readJson(path.join(dataDir, 'all.json')), []);
  });

  describe('groups in a realm file', () => {
    // Nested groups with attributes and role mappings, a default group, and members by path.
    const teams = () => ({
      realm: 'teams',
      enabled: true,
      roles: { realm: [{ name: 'engineer' }], client: { portal: [{ name: 'deploy' }] } },
      clients: [{ clientId: 'portal', secret: 'portal-secret', directAccessGrantsEnabled: true, enabled: true }],
      groups: [
        {
          id: 'group-staff',
          name: 'staff',
          path: '/staff',
          attributes: { site: ['lyon'] },
          realmRoles: ['engineer'],
          subGroups: [{ id: 'group-ops', name: 'ops', path: '/staff/ops', clientRoles: { portal: ['deploy'] }, subGroups: [{ id: 'group-night', name: 'night' }] }],
        },
        { id: 'group-guests', name: 'guests', path: '/guests' },
      ],
      defaultGroups: ['/guests'],
      users: [
        { username: 'gina', enabled: true, credentials: [{ type: 'password', value: 'gina-pw' }], groups: ['/staff/ops'] },
        { username: 'hal', enabled: true, credentials: [{ type: 'password', value: 'hal-pw' }], groups: ['/guests', '/staff/ops/night'] },
      ],
    });
    const writeFile = (dir: string, name: string, content: unknown) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify(content));
      return file;
    };

    it('imports nested groups, their roles, default groups and members; their roles reach tokens', async () => {
      const dataDir = await seededDataDir();
      const run = await cli('import', '--file', writeFile(dataDir, 'teams.json', teams()), '--data-dir', dataDir);
      assert.equal(run.code, 0, run.stderr);
      // The only warning is the generated key-encryption key's (an embedded default); none about the file.
      assert.doesNotMatch(run.stderr.split('\n').filter((line) => !line.includes('key-encryption key')).join('\n'), /warning/);
      const server = await startAdminServer({ dataDir });
      try {
        const login = async (username: string) => {
          const response = await tokenFor(server.url, 'teams', { grant_type: 'password', client_id: 'portal', client_secret: 'portal-secret', username, password: `${username}-pw` });
          assert.equal(response.status, 200);
          return JSON.parse(Buffer.from(response.body.access_token.split('.')[1], 'base64url').toString('utf8'));
        };
        const gina = await login('gina');
        assert.ok(gina.realm_access.roles.includes('engineer'));
        assert.deepEqual(gina.resource_access.portal, { roles: ['deploy'] });
        const hal = await login('hal');
        assert.deepEqual(hal.resource_access.portal, { roles: ['deploy'] }, 'inherited from /staff/ops through /staff/ops/night');

        const kc = await adminClient(server.url, {}, 'teams');
        const ops = (await kc.groups.findOne({ id: 'group-ops' }))!;
        assert.deepEqual([ops.path, ops.parentId, ops.clientRoles, ops.subGroupCount], ['/staff/ops', 'group-staff', { portal: ['deploy'] }, 1]);
        assert.deepEqual((await kc.groups.findOne({ id: 'group-staff' }))!.attributes, { site: ['lyon'] });
        assert.deepEqual((await kc.realms.getDefaultGroups({ realm: 'teams' })).map((g) => g.path), ['/guests']);
        const { id } = await kc.users.create({ username: 'newcomer', enabled: true });
        assert.deepEqual((await kc.users.listGroups({ id })).map((g) => g.path), ['/guests']);
      } finally {
        await server.close();
      }
    });

    it('export → import → export of groups is identical', async () => {
      const first = tempDir('holdfast-groups-');
      assert.equal((await cli('import', '--file', writeFile(first, 'teams.json', teams()), '--data-dir', first)).code, 0);
      const exportedA = path.join(first, 'a.json');
      assert.equal((await cli('export', '--realm', 'teams', '--file', exportedA, '--data-dir', first)).code, 0);
      const second = tempDir('holdfast-groups-');
      assert.equal((await cli('import', '--file', exportedA, '--data-dir', second)).code, 0);
      const exportedB = path.join(second, 'b.json');
      assert.equal((await cli('export', '--realm', 'teams', '--file', exportedB, '--data-dir', second)).code, 0);
      const a = readJson(exportedA);
      const b = readJson(exportedB);
      // A bearer-only built-in client (realm-management) is exported without a secret and gets a
      // new one on import: a client issue outside groups. Everything else must be identical.
      const withoutSecrets = (file: { clients: Array<Record<string, unknown>> }) => ({ ...file, clients: file.clients.map(({ secret, ...client }) => (client.bearerOnly ? client : { secret, ...client })) });
      assert.deepEqual(withoutSecrets(b), withoutSecrets(a));

      assert.deepEqual(a.defaultGroups, ['/guests']);
      assert.deepEqual(
        a.groups.map((g: { name: string }) => g.name),
        ['guests', 'staff'],
      );
      const staff = a.groups[1];
      assert.deepEqual([staff.id, staff.path, staff.attributes, staff.realmRoles, staff.clientRoles], ['group-staff', '/staff', { site: ['lyon'] }, ['engineer'], {}]);
      const ops = staff.subGroups[0];
      assert.deepEqual([ops.id, ops.path, ops.parentId, ops.clientRoles], ['group-ops', '/staff/ops', 'group-staff', { portal: ['deploy'] }]);
      assert.deepEqual(ops.subGroups.map((g: { path: string }) => g.path), ['/staff/ops/night']);
      const groupsOf = (username: string) => a.users.find((u: { username: string }) => u.username === username).groups;
      assert.deepEqual([groupsOf('gina'), groupsOf('hal')], [['/staff/ops'], ['/guests', '/staff/ops/night']]);
    });

    it('refuses unknown group paths, duplicate siblings and unknown roles, naming the JSON path, and writes nothing', async () => {
      const dataDir = tempDir('holdfast-groups-bad-');
      // Each case breaks the file's shape on purpose, so it is typed loosely.
      const cases: Array<[string, (file: any) => void, RegExp]> = [
        ['unknown-member.json', (f) => (f.users[0].groups = ['/staff/nope']), /users\[0\]\.groups\[0\]: unknown group '\/staff\/nope'/],
        ['unknown-default.json', (f) => (f.defaultGroups = ['/nope']), /defaultGroups\[0\]: unknown group '\/nope'/],
        ['duplicate.json', (f) => f.groups[0].subGroups.push({ id: 'other', name: 'ops', path: '/staff/ops', clientRoles: {}, subGroups: [] }), /groups\[0\]\.subGroups\[1\]\.name: duplicate group 'ops' in '\/staff'/],
        ['unknown-role.json', (f) => (f.groups[0].realmRoles = ['nope']), /groups\[0\]\.realmRoles\[0\]: unknown realm role 'nope'/],
        ['no-name.json', (f) => (f.groups[1].name = ''), /groups\[1\]\.name: required/],
        ['wrong-type.json', (f) => (f.groups[0].subGroups = 'ops'), /groups\[0\]\.subGroups: expected an array/],
      ];
      for (const [name, breakIt, message] of cases) {
        const file = teams();
        breakIt(file);
        const run = await cli('import', '--file', writeFile(dataDir, name, file), '--data-dir', dataDir);
        assert.equal(run.code, 1, name);
        assert.match(run.stderr, message, name);
      }
      const listing = path.join(dataDir, 'all.json');
      assert.equal((await cli('export', '--file', listing, '--data-dir', dataDir)).code, 0);
      assert.deepEqual(readJson(listing), []);
    });
  });

  it('rolls the whole realm back when the store refuses part of it (one transaction)', async () => {
    const dataDir = tempDir('holdfast-rollback-');
    assert.equal((await cli('import', '--file', FIXTURE_FILE, '--data-dir', dataDir)).code, 0);
    // A second realm reusing one of shop's user ids: only the database can notice, mid-write.
    const clash = fixture();
    clash.realm = 'shop-copy';
    clash.id = 'shop-copy-id';
    for (const client of clash.clients) client.id = `${client.id}-copy`;
    for (const role of [...clash.roles.realm, ...Object.values(clash.roles.client).flat()] as Array<{ id: string }>) role.id = `${role.id}-copy`;
    clash.defaultRole.id = `${clash.defaultRole.id}-copy`;
    for (const user of clash.users.slice(1)) user.id = `${user.id}-copy`;
    const file = path.join(dataDir, 'clash.json');
    fs.writeFileSync(file, JSON.stringify(clash));
    const run = await cli('import', '--file', file, '--data-dir', dataDir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Conflict detected: an id in the file is already used/);
    const out = path.join(dataDir, 'all.json');
    assert.equal((await cli('export', '--file', out, '--data-dir', dataDir, '--users', 'skip')).code, 0);
    assert.deepEqual(readJson(out).map((r: { realm: string }) => r.realm), ['shop']);
  });

  it('imports the same file through POST /admin/realms', async () => {
    const server = await startAdminServer();
    try {
      const kc = await adminClient(server.url);
      assert.deepEqual(await kc.realms.create(fixture()), { realmName: 'shop' });
      assert.equal((await loginShop(server.url, 'carol', FIXTURE_PASSWORDS.carol)).status, 200);
      kc.setConfig({ realmName: 'shop' });
      assert.equal(await kc.users.count(), 3);
    } finally {
      await server.close();
    }
  });

  it('start --import-realm imports data/import/*.json once, then skips the existing realm', async () => {
    const dataDir = tempDir('holdfast-start-import-');
    fs.mkdirSync(path.join(dataDir, 'import'));
    fs.copyFileSync(FIXTURE_FILE, path.join(dataDir, 'import', 'shop-realm.json'));
    let running = await startHoldfast({ dataDir, args: ['--import-realm'] });
    try {
      assert.equal((await loginShop(running.url, 'alice', FIXTURE_PASSWORDS.alice)).status, 200);
      const kc = await adminClient(running.url, {}, 'shop');
      await kc.realms.update({ realm: 'shop' }, { displayName: 'Changed at runtime' });
    } finally {
      assert.equal(await running.stop(), 0);
    }
    running = await startHoldfast({ dataDir, args: ['--import-realm'] });
    try {
      const kc = await adminClient(running.url, {}, 'shop');
      assert.equal((await kc.realms.findOne({ realm: 'shop' }))?.displayName, 'Changed at runtime');
    } finally {
      assert.equal(await running.stop(), 0);
    }
  });
});
