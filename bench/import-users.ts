/**
 * Realm import benchmark: generates a Keycloak-format realm file with 100,000 users (hashed
 * argon2 and pbkdf2 passwords, role mappings, attributes), imports it into a fresh SQLite data
 * directory twice — once through the real `holdfast import` command (the headline figure, process
 * start to exit) and once in-process to split the time into read, parse, plan and write — then
 * checks the users are all there and that an imported password still verifies. Prints a table
 * and writes bench/results/<date>-import.json.
 *
 *   node --import tsx bench/import-users.ts [--users 100000] [--keep]
 */
import { Algorithm, Version, hashRaw } from '@node-rs/argon2';
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { importRealm } from '../src/admin/index.ts';
import { verifyPassword } from '../src/crypto/index.ts';
import { openKeyRing, openSqlDatabase, SqlRealmRepository } from '../src/store/sql/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TARGET_SECONDS = 60;

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, keep: { type: 'boolean', default: false } } });
const userCount = Number(values.users);
if (!Number.isSafeInteger(userCount) || userCount < 1) throw new Error('--users: expected a positive integer');

const PASSWORD = 'bench-password';

/** Three real hashes, each shared by a third of the users: hashing 100,000 passwords is not what is measured. */
async function sampleHashes(): Promise<Array<{ secretData: string; credentialData: string }>> {
  const salt = randomBytes(16);
  const argon = await hashRaw(PASSWORD, { algorithm: Algorithm.Argon2id, version: Version.V0x13, memoryCost: 7168, timeCost: 5, parallelism: 1, outputLen: 32, salt });
  const sha256 = pbkdf2Sync(PASSWORD, salt, 600_000, 32, 'sha256');
  const sha512 = pbkdf2Sync(PASSWORD, salt, 210_000, 64, 'sha512');
  const secret = (hash: Buffer) => JSON.stringify({ value: hash.toString('base64'), salt: salt.toString('base64'), additionalParameters: {} });
  return [
    {
      secretData: secret(argon),
      credentialData: JSON.stringify({ hashIterations: 5, algorithm: 'argon2', additionalParameters: { hashLength: ['32'], memory: ['7168'], type: ['id'], version: ['1.3'], parallelism: ['1'] } }),
    },
    { secretData: secret(sha256), credentialData: JSON.stringify({ hashIterations: 600_000, algorithm: 'pbkdf2-sha256', additionalParameters: {} }) },
    { secretData: secret(sha512), credentialData: JSON.stringify({ hashIterations: 210_000, algorithm: 'pbkdf2-sha512', additionalParameters: {} }) },
  ];
}

async function writeRealmFile(file: string): Promise<number> {
  const hashes = await sampleHashes();
  const users = Array.from({ length: userCount }, (_, i) => ({
    id: randomUUID(),
    username: `user${String(i).padStart(6, '0')}`,
    email: `user${i}@bench.example`,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    enabled: true,
    emailVerified: i % 2 === 0,
    createdTimestamp: 1735689600000 + i,
    attributes: { department: [`dept-${i % 50}`] },
    credentials: [{ id: randomUUID(), type: 'password', createdDate: 1735689600000, priority: 10, ...hashes[i % 3] }],
    requiredActions: [],
    realmRoles: i % 10 === 0 ? ['default-roles-bench', 'staff'] : ['default-roles-bench'],
    ...(i % 100 === 0 ? { clientRoles: { 'bench-api': ['reader'] } } : {}),
    notBefore: 0,
    groups: [],
  }));
  const realm = {
    realm: 'bench',
    enabled: true,
    roles: { realm: [{ name: 'staff', description: 'Staff' }], client: { 'bench-api': [{ name: 'reader' }] } },
    clients: [{ clientId: 'bench-api', secret: 'bench-api-secret', directAccessGrantsEnabled: true, redirectUris: ['https://bench.example/*'] }],
    users,
  };
  const text = JSON.stringify(realm);
  fs.writeFileSync(file, text);
  return text.length;
}

interface CliRun {
  seconds: number;
  progressLines: number;
}

async function importWithCli(file: string, dataDir: string): Promise<CliRun> {
  const started = performance.now();
  const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'import', '--file', file, '--data-dir', dataDir, '--log-level', 'warn'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(stderr);
  return { seconds, progressLines: stderr.split('\n').filter((l) => l.includes('%')).length };
}

interface Phases {
  readSeconds: number;
  parseSeconds: number;
  planSeconds: number;
  writeSeconds: number;
  totalSeconds: number;
}

async function importInProcess(file: string, dataDir: string): Promise<Phases> {
  const database = await openSqlDatabase({ dialect: 'sqlite', dataDir });
  try {
    const t0 = performance.now();
    const text = fs.readFileSync(file, 'utf8');
    const t1 = performance.now();
    const json = JSON.parse(text);
    const t2 = performance.now();
    let t3 = 0;
    await importRealm(new SqlRealmRepository(database.db, await openKeyRing(database, { dataDir }, () => {})), json, {
      nowMs: Date.now(),
      onProgress: ({ done }) => {
        if (done === 0) t3 = performance.now();
      },
    });
    const t4 = performance.now();
    const s = (ms: number) => ms / 1000;
    return { readSeconds: s(t1 - t0), parseSeconds: s(t2 - t1), planSeconds: s(t3 - t2), writeSeconds: s(t4 - t3), totalSeconds: s(t4 - t0) };
  } finally {
    await database.close();
  }
}

async function verify(dataDir: string): Promise<{ users: number; credentials: number; sampleVerifies: boolean }> {
  const database = await openSqlDatabase({ dialect: 'sqlite', dataDir });
  try {
    const repository = new SqlRealmRepository(database.db, await openKeyRing(database, { dataDir }, () => {}));
    const realm = (await repository.findRealmByName('bench'))!;
    const users = await repository.countUsers(realm.id, {});
    const row = await database.db.selectFrom('credential').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const sample = (await repository.findUserByUsername(realm.id, `user${String(userCount - 1).padStart(6, '0')}`))!;
    const stored = (await repository.getPassword(sample.id))!;
    return { users, credentials: Number(row.n), sampleVerifies: await verifyPassword(PASSWORD, stored) };
  } finally {
    await database.close();
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-import-bench-'));
try {
  const file = path.join(work, 'bench-realm.json');
  const generateStarted = performance.now();
  const bytes = await writeRealmFile(file);
  const generateSeconds = (performance.now() - generateStarted) / 1000;

  const cli = await importWithCli(file, path.join(work, 'cli'));
  const phases = await importInProcess(file, path.join(work, 'in-process'));
  const check = await verify(path.join(work, 'cli'));

  const rate = (seconds: number) => Math.round(userCount / seconds).toLocaleString('en-US');
  const rows: Array<[string, string, string]> = [
    ['file', `${(bytes / 1024 / 1024).toFixed(1)} MiB, ${userCount.toLocaleString('en-US')} users`, `generated in ${generateSeconds.toFixed(1)} s`],
    ['holdfast import (CLI, process start → exit)', `${cli.seconds.toFixed(2)} s`, `${rate(cli.seconds)} users/s`],
    ['  in-process: read file', `${phases.readSeconds.toFixed(2)} s`, ''],
    ['  in-process: JSON.parse', `${phases.parseSeconds.toFixed(2)} s`, ''],
    ['  in-process: check + plan (keys, roles, users)', `${phases.planSeconds.toFixed(2)} s`, ''],
    ['  in-process: write (one transaction)', `${phases.writeSeconds.toFixed(2)} s`, `${rate(phases.writeSeconds)} users/s`],
    ['  in-process: total', `${phases.totalSeconds.toFixed(2)} s`, `${rate(phases.totalSeconds)} users/s`],
    ['users / credentials stored', `${check.users.toLocaleString('en-US')} / ${check.credentials.toLocaleString('en-US')}`, check.users === userCount ? 'all there' : 'MISSING USERS'],
    ['imported hash verifies', String(check.sampleVerifies), ''],
    [`target: under ${TARGET_SECONDS} s`, cli.seconds < TARGET_SECONDS ? 'met' : 'MISSED', ''],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n| ${'measure'.padEnd(width)} | value | note |\n|${'-'.repeat(width + 2)}|---|---|`);
  for (const [name, value, note] of rows) console.log(`| ${name.padEnd(width)} | ${value} | ${note} |`);

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    users: userCount,
    fileBytes: bytes,
    cli,
    inProcess: phases,
    check,
    targetSeconds: TARGET_SECONDS,
    targetMet: cli.seconds < TARGET_SECONDS && check.users === userCount && check.sampleVerifies,
  };
  const out = path.join(ROOT, 'bench/results', `${results.date.slice(0, 10)}-import.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(ROOT, out)}`);
  if (!results.targetMet) process.exitCode = 1;
} finally {
  if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
