/**
 * Secrets at rest (README "Secrets at rest"): realm keys and client secrets are sealed under a
 * key-encryption key (KEK) that is not in the database. The raw SQLite files and the PostgreSQL
 * rows hold no private key material and no client secret; a restart with the same KEK keeps old
 * tokens (same kid) and client secrets working; a wrong or missing KEK stops a real process with
 * exit 2 and the message, writing nothing; a rotation re-wraps everything, scrubs the old
 * ciphertext and leaves the old KEK useless while tokens and secrets keep working; export still
 * writes Keycloak's realm file; a database of the plaintext release is sealed on the first start
 * of this one, and the tokens it issued still verify.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { buildApp } from '../../src/app.ts';
import { ConfigError, parseConfig, testConfig, type Config } from '../../src/config/index.ts';
import { KekError, newKeyEncryptionKeyText, parseKeyEncryptionKey } from '../../src/crypto/index.ts';
import type { RealmRepository } from '../../src/realm/index.ts';
import { openKeyRing, openSqlDatabase, SqlRealmRepository, type SqlOptions } from '../../src/store/sql/index.ts';
import { freshDatabase } from '../support/postgres.ts';
import { ROOT, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from '../support/process.ts';
import { DEMO_SERVICE, passwordGrant, refresh, tokenRequest } from '../support/oidc-requests.ts';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const kidOf = (file: string): string => parseKeyEncryptionKey(fs.readFileSync(file, 'utf8'), file).kid;

/** Runs `work` on the realm repository of a database, opened with the given key-encryption key. */
async function withRepository<T>(sql: SqlOptions, kek: Config['kek'], work: (repository: RealmRepository) => Promise<T>): Promise<T> {
  const database = await openSqlDatabase(sql);
  try {
    const ring = await openKeyRing(database, { dataDir: sql.dataDir ?? ':memory:', kek }, () => {});
    return await work(new SqlRealmRepository(database.db, ring));
  } finally {
    await database.close();
  }
}

/**
 * What must never be found at rest: the client secret, PEM armour and lines, the private JWK
 * members of every RSA key (and its DER bytes), the HMAC and AES keys in base64 and as bytes.
 */
async function secretsOf(repository: RealmRepository): Promise<Buffer[]> {
  const needles = [Buffer.from(DEMO_SERVICE.client_secret), Buffer.from('PRIVATE KEY')];
  for (const realm of await repository.listRealms()) {
    for (const key of await repository.listKeys(realm.id)) {
      if (key.kind === 'rsa') {
        const privateKey = createPrivateKey(key.material);
        const jwk = privateKey.export({ format: 'jwk' });
        needles.push(...[jwk.d!, jwk.p!, jwk.q!, jwk.dp!, jwk.dq!, jwk.qi!].map((v) => Buffer.from(v)));
        // PEM lines that carry only the public modulus also stand in the (public) certificate.
        const published = key.component?.certificate ?? '';
        needles.push(...key.material.split('\n').filter((line) => line.length === 64 && !published.includes(line)).map((line) => Buffer.from(line)));
        needles.push(privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(0, 64));
      } else {
        needles.push(Buffer.from(key.material), Buffer.from(key.material, 'base64'));
      }
    }
  }
  return needles;
}

/** Every file of the data directory but the KEK itself (database, WAL, shared memory), raw. */
function rawDataFiles(dataDir: string): Array<[string, Buffer]> {
  return fs
    .readdirSync(dataDir)
    .filter((name) => name.startsWith('holdfast.db'))
    .map((name) => [name, fs.readFileSync(path.join(dataDir, name))]);
}

function assertNoneIn(haystacks: Array<[string, Buffer]>, needles: Buffer[]): void {
  assert.ok(haystacks.length > 0);
  for (const [where, bytes] of haystacks) {
    for (const needle of needles) assert.equal(bytes.includes(needle), false, `${where} holds ${needle.toString('utf8').slice(0, 24)}…`);
  }
}

function storedKeys(dataDir: string): Array<{ kid: string; material: string; kek_id: string | null }> {
  const db = new SQLite(path.join(dataDir, 'holdfast.db'), { readonly: true });
  try {
    return db.prepare('select kid, material, kek_id from realm_key order by kid').all() as Array<{ kid: string; material: string; kek_id: string | null }>;
  } finally {
    db.close();
  }
}

async function userinfo(baseUrl: string, accessToken: string): Promise<number> {
  const response = await fetch(`${baseUrl}/realms/demo/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.arrayBuffer();
  return response.status;
}

/** Tokens issued before a restart still verify after it, with the same key, and the client secret still authenticates. */
async function assertStillWorks(server: RunningHoldfast, issued: { access_token: string; refresh_token: string }): Promise<void> {
  const kid = decodeProtectedHeader(issued.access_token).kid;
  const jwks = createRemoteJWKSet(new URL(`${server.url}/realms/demo/protocol/openid-connect/certs`));
  const { protectedHeader } = await jwtVerify(issued.access_token, jwks);
  assert.equal(protectedHeader.kid, kid);
  assert.equal(await userinfo(server.url, issued.access_token), 200);
  const refreshed = await refresh(server.url, issued.refresh_token);
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.equal(decodeProtectedHeader(refreshed.body.access_token).kid, kid);
  const serviceToken = await tokenRequest(server.url, { grant_type: 'client_credentials', ...DEMO_SERVICE });
  assert.equal(serviceToken.status, 200, JSON.stringify(serviceToken.body));
  const wrongSecret = await tokenRequest(server.url, { grant_type: 'client_credentials', client_id: 'demo-service', client_secret: 'not-the-secret' });
  assert.equal(wrongSecret.status, 401);
}

const scratch: string[] = [];
function scratchDir(): string {
  const dir = tempDir('holdfast-kek-');
  scratch.push(dir);
  return dir;
}
after(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe('secrets at rest: configuration', () => {
  it('reads the KEK from a file or HOLDFAST_KEK, once, and requires one for PostgreSQL', () => {
    const pgArgs = ['--db', 'postgres', '--db-url', 'postgres://127.0.0.1/x'];
    assert.throws(() => parseConfig(pgArgs, {}), { message: '--db postgres needs a key-encryption key, the same on every node: --kek-file <path> or HOLDFAST_KEK' });
    assert.deepEqual(parseConfig(pgArgs, { HOLDFAST_KEK: 'k' }).kek, { variable: 'HOLDFAST_KEK', value: 'k' });
    assert.deepEqual(parseConfig(['--kek-file', 'k'], {}).kek, { file: path.resolve('k') });
    assert.deepEqual(parseConfig([], { HOLDFAST_KEK_FILE: '/k' }).kek, { file: '/k' });
    assert.throws(() => parseConfig(['--kek-file', 'k'], { HOLDFAST_KEK: 'k' }), ConfigError);
    assert.throws(() => parseConfig(['--kek-previous-file', 'k'], {}), /--kek-previous-file needs the new key/);
  });

  it('accepts 32 bytes in base64, base64url or hex, with the same kid, and nothing else', () => {
    const text = newKeyEncryptionKeyText();
    const bytes = Buffer.from(text.trim(), 'base64');
    const kid = parseKeyEncryptionKey(text, 't').kid;
    assert.equal(parseKeyEncryptionKey(bytes.toString('hex'), 't').kid, kid);
    assert.equal(parseKeyEncryptionKey(bytes.toString('base64url'), 't').kid, kid);
    assert.notEqual(parseKeyEncryptionKey(newKeyEncryptionKeyText(), 't').kid, kid);
    for (const bad of ['', 'secret', bytes.subarray(0, 31).toString('base64'), bytes.toString('hex').slice(2)]) {
      assert.throws(() => parseKeyEncryptionKey(bad, 'HOLDFAST_KEK'), (error: Error) => error instanceof KekError && error.message.startsWith('HOLDFAST_KEK: expected a key of 32 bytes'));
    }
  });

  it('refuses PostgreSQL without a KEK in a real process, with one line and exit 2', async () => {
    const run = await cli(['start', '--db', 'postgres', '--db-url', 'postgres://127.0.0.1/none']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), 'holdfast: --db postgres needs a key-encryption key, the same on every node: --kek-file <path> or HOLDFAST_KEK');
  });
});

describe('secrets at rest: what the database holds', () => {
  it('SQLite: the raw files hold no private key material and no client secret', async () => {
    const dataDir = scratchDir();
    const kek = { file: writeKekFile(scratchDir()) };
    await (await buildApp({ config: testConfig({ dataDir, kek }) })).close();
    const needles = await withRepository({ dialect: 'sqlite', dataDir }, kek, secretsOf);
    assert.ok(needles.length > 20);
    assertNoneIn(rawDataFiles(dataDir), needles);
    assert.deepEqual(new Set(storedKeys(dataDir).map((k) => k.kek_id)), new Set([kidOf(kek.file)]));
    assert.equal(fs.existsSync(path.join(dataDir, 'kek')), false, 'a given KEK is not copied next to the database');
  });

  it('PostgreSQL: no row holds private key material or a client secret', async () => {
    const database = await freshDatabase();
    try {
      const kek = { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() };
      await (await buildApp({ config: testConfig({ db: 'postgres', dbUrl: database.url, kek }) })).close();
      const needles = await withRepository({ dialect: 'postgres', url: database.url, poolSize: 1 }, kek, secretsOf);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const tables = (await client.query(`select tablename from pg_tables where schemaname = 'public'`)).rows.map((r) => r.tablename as string);
        assert.ok(tables.includes('realm_key') && tables.includes('client'));
        const rows: Array<[string, Buffer]> = [];
        for (const table of tables) rows.push([table, Buffer.from(JSON.stringify((await client.query(`select * from "${table}"`)).rows))]);
        assertNoneIn(rows, needles);
        const kids = (await client.query('select distinct kek_id from realm_key')).rows.map((r) => r.kek_id);
        assert.deepEqual(kids, [parseKeyEncryptionKey(kek.value, 'k').kid]);
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('secrets at rest: restart, wrong key, rotation, export (real processes)', () => {
  const dataDir = scratchDir();
  const kekDir = scratchDir();
  const oldKek = writeKekFile(kekDir, 'kek.old');
  const newKek = writeKekFile(kekDir, 'kek.new');
  let server: RunningHoldfast | undefined;
  let issued: { access_token: string; refresh_token: string };
  // The issuer names the port: every start uses the first one's.
  let port: number;

  before(async () => {
    server = await startHoldfast({ dataDir, args: ['--kek-file', oldKek] });
    port = server.port;
    const login = await passwordGrant(server.url);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    issued = login.body;
    assert.equal(await server.stop(), 0);
    server = undefined;
  });
  after(async () => {
    await server?.stop();
  });

  it('a restart with the same KEK verifies old tokens (same kid) and client secrets still authenticate', async () => {
    server = await startHoldfast({ dataDir, port, args: ['--kek-file', oldKek] });
    await assertStillWorks(server, issued);
    assert.doesNotMatch(server.output(), /key-encryption key/);
    assert.equal(await server.stop(), 0);
    server = undefined;
  });

  it('a wrong or missing KEK is refused with exit 2 and the message, and nothing is written', async () => {
    const before = storedKeys(dataDir);
    const wrong = writeKekFile(kekDir, 'kek.wrong');
    const expected = `holdfast: the key-encryption key does not open this database's secrets (kid ${kidOf(oldKek)}; given kid ${kidOf(wrong)})`;
    // Real processes for the exit code; one after the other, as they share SQLite's migration lock.
    const viaFile = await cli(['start-dev', '--data-dir', dataDir, '--kek-file', wrong]);
    assert.deepEqual([viaFile.code, viaFile.stderr.trim()], [2, expected]);
    const missing = await cli(['start-dev', '--data-dir', dataDir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`^holdfast: this database's secrets are sealed \\(kid ${kidOf(oldKek)}\\) and no key-encryption key was given: .*kek is missing`));
    assert.equal(fs.existsSync(path.join(dataDir, 'kek')), false, 'no key is generated for a sealed database');
    const exported = await cli(['export', '--realm', 'demo', '--file', path.join(kekDir, 'x.json'), '--data-dir', dataDir, '--kek-file', wrong]);
    assert.deepEqual([exported.code, exported.stderr.trim()], [2, expected.replace('holdfast:', 'holdfast export:')]);
    assert.equal(fs.existsSync(path.join(kekDir, 'x.json')), false);

    // The same start path in-process, for the other ways of getting it wrong.
    fs.writeFileSync(path.join(kekDir, 'kek.short'), 'c2hvcnQ=\n');
    const startWith = (kek: Config['kek'], kekPrevious?: Config['kek']) => buildApp({ config: testConfig({ dataDir, demo: false, kek, kekPrevious }) });
    const refused = (message: string | RegExp) => (error: unknown) =>
      error instanceof KekError && (typeof message === 'string' ? error.message === message : message.test(error.message));
    await assert.rejects(startWith({ variable: 'HOLDFAST_KEK', value: fs.readFileSync(wrong, 'utf8') }), refused(expected.replace('holdfast: ', '')));
    await assert.rejects(startWith({ file: wrong }, { file: newKek }), refused(/does not open this database's secrets \(kid [^;]+; given kid .+, previous .+\)$/));
    await assert.rejects(startWith({ file: path.join(kekDir, 'nope') }), refused(/cannot read the key-encryption key: ENOENT$/));
    await assert.rejects(startWith({ file: path.join(kekDir, 'kek.short') }), refused(/kek\.short: expected a key of 32 bytes in base64 or hex/));
    await assert.rejects(startWith({ file: oldKek }, { file: oldKek }), refused(/the previous key-encryption key is the current one/));

    assert.deepEqual(storedKeys(dataDir), before);
  });

  it('rotation re-wraps every key, scrubs the old ciphertext, and the old KEK opens nothing afterwards', async () => {
    // The rotation window: nodes hold both keys before the re-wrap.
    server = await startHoldfast({ dataDir, port, args: ['--kek-file', newKek, '--kek-previous-file', oldKek] });
    await assertStillWorks(server, issued);
    assert.match(server.output(), /still sealed under the previous key-encryption key/);
    assert.equal(await server.stop(), 0);
    server = undefined;

    const sealedBefore = storedKeys(dataDir);
    const rotated = await cli(['rotate-kek', '--data-dir', dataDir, '--kek-file', newKek, '--kek-previous-file', oldKek]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, new RegExp(`re-wrapped ${sealedBefore.length} realm keys under kid ${kidOf(newKek)} \\(from kid ${kidOf(oldKek)}\\)`));
    const sealedAfter = storedKeys(dataDir);
    assert.deepEqual(sealedAfter.map((k) => [k.kid, k.kek_id]), sealedBefore.map((k) => [k.kid, kidOf(newKek)]));
    assertNoneIn(rawDataFiles(dataDir), sealedBefore.map((k) => Buffer.from(k.material)));
    const again = await cli(['rotate-kek', '--data-dir', dataDir, '--kek-file', newKek]);
    assert.deepEqual([again.code, again.stdout.trim()], [0, `holdfast rotate-kek: every realm key is already sealed under kid ${kidOf(newKek)}`]);

    const withOld = await cli(['start-dev', '--data-dir', dataDir, '--kek-file', oldKek]);
    assert.deepEqual([withOld.code, withOld.stderr.trim()], [2, `holdfast: the key-encryption key does not open this database's secrets (kid ${kidOf(newKek)}; given kid ${kidOf(oldKek)})`]);

    server = await startHoldfast({ dataDir, port, args: ['--kek-file', newKek] });
    await assertStillWorks(server, issued);
    assert.equal(await server.stop(), 0);
    server = undefined;
    assertNoneIn(rawDataFiles(dataDir), await withRepository({ dialect: 'sqlite', dataDir }, { file: newKek }, secretsOf));
  });

  it('export --include-keys false still writes the Keycloak realm file with the client secret, and no key material', async () => {
    const file = path.join(kekDir, 'demo-realm.json');
    const run = await cli(['export', '--realm', 'demo', '--file', file, '--data-dir', dataDir, '--kek-file', newKek, '--include-keys', 'false']);
    assert.equal(run.code, 0, run.stderr);
    const text = fs.readFileSync(file, 'utf8');
    const realm = JSON.parse(text);
    assert.equal(realm.realm, 'demo');
    assert.equal(realm.clients.find((c: { clientId: string }) => c.clientId === 'demo-service').secret, DEMO_SERVICE.client_secret);
    assert.equal(text.includes('PRIVATE KEY'), false);
    assert.equal('components' in realm || 'keys' in realm, false);
  });
});

/**
 * The last landed release that stored keys in plaintext (before migration 004-sealed-keys): a
 * fixed commit, so the test runs the same old release however history grows after it.
 */
const PLAINTEXT_RELEASE = '32aa4f269f726e6d397d2e1e19448957088d314f';

describe('secrets at rest: upgrade from the plaintext release', () => {
  const release = scratchDir();
  const dataDir = scratchDir();
  let server: RunningHoldfast | undefined;
  after(async () => {
    await server?.stop();
  });

  it('seals the keys on the first start, and tokens issued before still verify after it', async () => {
    const archive = execFileSync('git', ['-C', ROOT, 'archive', PLAINTEXT_RELEASE, 'src', 'package.json']);
    execFileSync('tar', ['-x', '-C', release], { input: archive });
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(release, 'node_modules'));
    assert.equal(fs.existsSync(path.join(release, 'src/store/sql/migrations/004-sealed-keys.ts')), false);

    server = await startHoldfast({ dataDir, entry: path.join(release, 'src/main.ts') });
    const login = await passwordGrant(server.url);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(await server.stop(), 0);
    assert.ok(rawDataFiles(dataDir).some(([, bytes]) => bytes.includes('PRIVATE KEY')), 'the old release stores its keys in plaintext');

    server = await startHoldfast({ dataDir, port: server.port });
    const output = server.output();
    assert.match(output, /generated a key-encryption key into .*kek; it sits next to the database/);
    assert.match(output, /sealed 6 realm keys that an earlier release stored in plaintext/);
    await assertStillWorks(server, login.body);
    assert.equal(await server.stop(), 0);
    server = undefined;

    const kek = { file: path.join(dataDir, 'kek') };
    assert.equal(fs.statSync(kek.file).mode & 0o777, 0o600);
    assertNoneIn(rawDataFiles(dataDir), await withRepository({ dialect: 'sqlite', dataDir }, kek, secretsOf));
    assert.deepEqual(new Set(storedKeys(dataDir).map((k) => k.kek_id)), new Set([kidOf(kek.file)]));
  });
});
