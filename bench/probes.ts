/**
 * Measurements that need no HTTP load: the raw signing floor (the better of jose and node:crypto,
 * which holdfast signs with, same key sizes), the memory one cached session costs in holdfast's own cache, and the
 * store lookup behind a cache miss. The first two run as child processes
 * (`node --import tsx bench/probes.ts floor|memory …`), the floor pinned to the server's core.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { CompactSign } from 'jose';
import { parseArgs } from 'node:util';
import { signAsymmetric } from '../src/crypto/jwt.ts';
import type { RealmKeys } from '../src/crypto/keys.ts';
import { openSqlDatabase, SqlSessionStore } from '../src/store/sql/index.ts';
import { CachedSessionStore, LocalInvalidationBus } from '../src/store/cache/index.ts';
import type { UserSession } from '../src/session/types.ts';
import { seededId } from './seed.ts';

/** Claims the size of a holdfast access token for alice. */
function accessClaims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    exp: now + 300,
    iat: now,
    auth_time: now,
    jti: `onrtrt:${randomUUID()}`,
    iss: 'http://127.0.0.1:8080/realms/demo',
    aud: 'account',
    sub: randomUUID(),
    typ: 'Bearer',
    azp: 'demo-service',
    sid: randomUUID(),
    acr: '0',
    'allowed-origins': ['http://localhost:3000'],
    realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-demo'] },
    resource_access: { account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] } },
    scope: 'openid profile email',
    email_verified: true,
    name: 'Alice Liddell',
    preferred_username: 'alice',
    given_name: 'Alice',
    family_name: 'Liddell',
    email: 'alice@example.com',
  };
}

const encoder = new TextEncoder();

type Signer = (alg: string, key: KeyObject) => Promise<unknown>;

const joseSigner: Signer = (alg, key) => new CompactSign(encoder.encode(JSON.stringify(accessClaims()))).setProtectedHeader({ alg, typ: 'JWT', kid: 'k' }).sign(key);

/** holdfast's own signer (node:crypto in the thread pool), with a key set of the one key. */
const holdfastSigner: Signer = (alg, key) => signAsymmetric(accessClaims(), { signing: { kid: 'k', algorithm: alg, privateKey: key }, signingByAlgorithm: new Map() } as unknown as RealmKeys);

/** Signatures per second for `seconds`, with `inFlight` signatures outstanding (as under load). */
async function signRate(signer: Signer, alg: string, key: KeyObject, seconds: number, inFlight: number): Promise<number> {
  let count = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await signer(alg, key);
        count++;
      }
    }),
  );
  return count / seconds;
}

/** The best rate any of the signers reaches, with 1 or 8 signatures in flight: the floor never drops because holdfast changed library. */
async function bestRate(alg: string, key: KeyObject, seconds: number): Promise<number> {
  let best = 0;
  for (const signer of [joseSigner, holdfastSigner]) {
    await signRate(signer, alg, key, 0.3, 1);
    for (const inFlight of [1, 8]) best = Math.max(best, await signRate(signer, alg, key, seconds / 4, inFlight));
  }
  return best;
}

export interface SigningFloor {
  rs256: number;
  es256: number;
}

async function signingFloor(seconds: number): Promise<SigningFloor> {
  const rsa = createPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return { rs256: await bestRate('RS256', rsa, seconds), es256: await bestRate('ES256', ec, seconds) };
}

export interface CacheMemory {
  sessions: number;
  bytesPerSession: number;
}

/**
 * Heap bytes per cached user session (one client session each), as holdfast's cache holds them:
 * sessions are written through the real SQL store, then read back through CachedSessionStore,
 * and the heap is compared after a full GC before and after the reads.
 */
async function cacheMemory(count: number): Promise<CacheMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const database = await openSqlDatabase({ dialect: 'sqlite', dataDir: ':memory:' });
  const store = new SqlSessionStore(database.db);
  const now = Math.floor(Date.now() / 1000);
  const realmId = randomUUID();
  const userId = randomUUID();
  const clientUuid = randomUUID();
  const ids = Array.from({ length: count }, (_, n) => seededId('memory', n));
  for (const id of ids) {
    const session: UserSession = {
      id,
      offline: false,
      realmId,
      userId,
      started: now,
      lastRefresh: now,
      rememberMe: false,
      ipAddress: '127.0.0.1',
      authTime: now,
      expiresAt: now + 1800,
      clientSessions: new Map([[clientUuid, { clientUuid, started: now, timestamp: now, scope: 'openid profile email', refreshTokenUses: 0 }]]),
    };
    await store.createUserSession(session);
  }
  const cache = new CachedSessionStore(store, new LocalInvalidationBus(), count, { hit() {}, miss() {} });
  for (let i = 0; i < 3; i++) gc();
  const before = process.memoryUsage().heapUsed;
  for (const id of ids) await cache.getUserSession(id, false);
  for (let i = 0; i < 3; i++) gc();
  const after = process.memoryUsage().heapUsed;
  if (cache.size !== count) throw new Error(`cache holds ${cache.size}, expected ${count}`);
  await database.close();
  return { sessions: count, bytesPerSession: (after - before) / count };
}

export interface LookupLatency {
  lookups: number;
  p50: number;
  p99: number;
  max: number;
}

/** Latency of the store read behind a cache miss (`SqlSessionStore.getUserSession`) on seeded ids. */
export async function storeLookup(dbUrl: string, ids: string[]): Promise<LookupLatency> {
  const database = await openSqlDatabase({ dialect: 'postgres', url: dbUrl, poolSize: 2 });
  const store = new SqlSessionStore(database.db);
  const times: number[] = [];
  try {
    for (const id of ids.slice(0, 50)) await store.getUserSession(id, false);
    for (const id of ids) {
      const t0 = performance.now();
      const session = await store.getUserSession(id, false);
      times.push(performance.now() - t0);
      if (!session) throw new Error(`seeded session ${id} not found`);
    }
  } finally {
    await database.close();
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { lookups: times.length, p50: at(0.5), p99: at(0.99), max: times[times.length - 1] };
}

const ROOT = path.resolve(import.meta.dirname, '..');

async function probe<T>(command: string[], args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(command[0], [...command.slice(1), '--import', 'tsx', 'bench/probes.ts', ...args], { cwd: ROOT, timeout: 300_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** The signing floor, measured on the server's core (CPU 0) while nothing else of ours runs there. */
export function runSigningFloor(seconds: number): Promise<SigningFloor> {
  return probe(['taskset', '-c', '0', process.execPath], ['floor', '--seconds', String(seconds)]);
}

export function cacheMemoryProbe(count: number): Promise<CacheMemory> {
  return probe([process.execPath, '--expose-gc'], ['memory', '--count', String(count)]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: { seconds: { type: 'string' }, count: { type: 'string' } } });
  const result = command === 'floor' ? await signingFloor(Number(values.seconds ?? 4)) : command === 'memory' ? await cacheMemory(Number(values.count ?? 10_000)) : undefined;
  if (!result) throw new Error('usage: probes.ts floor [--seconds N] | memory [--count N]');
  console.log(JSON.stringify(result));
}
