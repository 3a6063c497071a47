/**
 * A real Keycloak 26.7.3 for the migration tests (issue #19): the distribution from the local Maven
 * repository (fetched with `mvn dependency:copy` when absent), built once per set of build options
 * into a cache under the OS temp directory, and started with `start --optimized` against a
 * throwaway PostgreSQL database on free loopback ports. A build costs about a minute on a loaded
 * machine (Quarkus' augmentation) while an optimized start takes a fraction of it, so the build
 * is shared between test files and runs (guarded by a lock); each instance runs from its own
 * hard-linked copy so that Keycloak's `data/` directory is never shared.
 *
 * Without the distribution the tests skip with the reason, except under `CI=true`, where the
 * fetch error fails them: a CI run must not pass by skipping silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, PG_HOST, type FreshDatabase } from './postgres.ts';
import { freePort } from './process.ts';
import { freshMariaDbDatabase, MARIADB_HOST } from './mariadb.ts';

export const KEYCLOAK_VERSION = '26.7.3';
export const KEYCLOAK_JAVA_HOME = '/usr/lib/jvm/temurin-25-jdk-amd64';
const ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:tar.gz`;
const CACHE = path.join(os.tmpdir(), `holdfast-keycloak-${KEYCLOAK_VERSION}`);
export const KEYCLOAK_ADMIN = { username: 'admin', password: 'admin' };

function mavenRepository(): string {
  return process.env.HOLDFAST_MAVEN_REPOSITORY ?? path.join(os.homedir(), '.m2', 'repository');
}

export function distributionPath(): string {
  return path.join(mavenRepository(), 'org/keycloak/keycloak-quarkus-dist', KEYCLOAK_VERSION, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.tar.gz`);
}

/** The tarball's path, fetched into the local Maven repository first if it is not there; throws with Maven's output when that fails. */
export function ensureDistribution(): string {
  const tarball = distributionPath();
  if (fs.existsSync(tarball)) return tarball;
  const fetched = spawnSync('mvn', ['-q', '-B', 'dependency:get', `-Dartifact=${ARTIFACT}`, '-Dtransitive=false'], { encoding: 'utf8', timeout: 600_000 });
  if (fetched.error || fetched.status !== 0 || !fs.existsSync(tarball)) {
    const reason = fetched.error?.message ?? `exit ${fetched.status}: ${(fetched.stdout + fetched.stderr).trim().slice(-2000)}`;
    throw new Error(`cannot fetch ${ARTIFACT} with Maven into ${mavenRepository()}: ${reason}`);
  }
  return tarball;
}

/**
 * Undefined when Keycloak can run here, otherwise why not, for `describe(..., { skip })`. Under
 * `CI=true` a missing distribution or Java throws instead, so the run fails with the reason.
 */
export function keycloakSkipReason(): string | undefined {
  try {
    ensureDistribution();
    if (!fs.existsSync(path.join(KEYCLOAK_JAVA_HOME, 'bin/java'))) throw new Error(`no JDK at ${KEYCLOAK_JAVA_HOME}`);
    return undefined;
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    return (error as Error).message;
  }
}

export interface KeycloakOptions {
  /** Keycloak's `--http-relative-path`, e.g. `/auth` (default `/`). */
  relativePath?: string;
  /** The `persistent-user-sessions` feature (default on, as in Keycloak 26). */
  persistentUserSessions?: boolean;
  /** Keycloak's `--hostname` (a full URL); by default the URL comes from the request. */
  hostname?: string;
  /** The public port (default a free one), e.g. to have holdfast take the same base URL afterwards. */
  port?: number;
  /** Keycloak's database: a throwaway PostgreSQL database (default) or one on the machine's MariaDB. */
  database?: 'postgres' | 'mariadb';
}

export interface RunningKeycloak {
  /** The base URL including the relative path, without a trailing slash: `http://127.0.0.1:P/auth`. */
  baseUrl: string;
  port: number;
  /** Keycloak's database, for the migrator (`postgres://…` or `mariadb://…`). */
  dbUrl: string;
  dbName: string;
  /** Keycloak's process output, for diagnostics. */
  logFile: string;
  /** A fresh admin access token from the master realm (admin-cli, password grant). */
  adminToken(): Promise<string>;
  /** A request to Keycloak's admin REST API (`/admin/realms…`); a JSON body is sent as JSON. Throws on a non-2xx answer, with the body. */
  admin(method: string, adminPath: string, body?: unknown): Promise<Response>;
  /** Stops Keycloak (SIGTERM, then SIGKILL after a bound) and keeps the database, e.g. for the migrator. */
  shutdown(): Promise<void>;
  /** shutdown(), then drops the database and the instance directory. */
  stop(): Promise<void>;
}

function buildArgs(options: KeycloakOptions): string[] {
  const args = [`--db=${options.database ?? 'postgres'}`, '--cache=local', '--health-enabled=true', `--http-relative-path=${options.relativePath ?? '/'}`];
  if (options.persistentUserSessions === false) args.push('--features-disabled=persistent-user-sessions');
  return args;
}

async function withLock<T>(lockDir: string, work: () => Promise<T> | T): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A holder that died leaves its lock behind: take it over once its process is gone.
      const holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (holder > 0 && !processAlive(holder)) fs.rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lockDir} held by process ${holder} for too long`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The built distribution for these build options (extracted and `kc.sh build` run once, under a lock). */
async function builtDistribution(options: KeycloakOptions): Promise<string> {
  const tarball = ensureDistribution();
  const args = buildArgs(options);
  const key = crypto.createHash('sha256').update(args.join(' ')).digest('hex').slice(0, 12);
  const home = path.join(CACHE, `built-${key}`);
  fs.mkdirSync(CACHE, { recursive: true });
  return withLock(path.join(CACHE, `lock-${key}`), () => {
    if (fs.existsSync(path.join(home, '.built'))) return home;
    const staging = fs.mkdtempSync(path.join(CACHE, 'staging-'));
    try {
      const untar = spawnSync('tar', ['xzf', tarball, '-C', staging], { encoding: 'utf8', timeout: 300_000 });
      if (untar.status !== 0) throw new Error(`tar xzf ${tarball}: ${untar.stderr}`);
      const extracted = path.join(staging, `keycloak-${KEYCLOAK_VERSION}`);
      const build = spawnSync(path.join(extracted, 'bin/kc.sh'), ['build', ...args], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, JAVA_HOME: KEYCLOAK_JAVA_HOME } });
      fs.writeFileSync(path.join(CACHE, `build-${key}.log`), `${build.stdout}\n${build.stderr}`);
      if (build.status !== 0) throw new Error(`kc.sh build ${args.join(' ')} failed (exit ${build.status}): ${(build.stdout + build.stderr).slice(-2000)}`);
      fs.writeFileSync(path.join(extracted, '.built'), args.join(' '));
      fs.rmSync(home, { recursive: true, force: true });
      fs.renameSync(extracted, home);
      return home;
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  });
}

/** Starts Keycloak and waits (bounded) until it is ready and its admin user can log in. */
export async function startKeycloak(options: KeycloakOptions = {}): Promise<RunningKeycloak> {
  const home = await builtDistribution(options);
  const instance = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-keycloak-instance-'));
  const instanceHome = path.join(instance, 'keycloak');
  // Hard links: the built libraries are shared, the data directory is not.
  const copy = spawnSync('cp', ['-al', home, instanceHome], { encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`cp -al ${home}: ${copy.stderr}`);
  fs.rmSync(path.join(instanceHome, 'data'), { recursive: true, force: true });
  const database: FreshDatabase = options.database === 'mariadb' ? await freshMariaDbDatabase('holdfast_keycloak') : await freshDatabase('holdfast_keycloak');
  const dbUser = new URL(database.url).username;
  const jdbcUrl = options.database === 'mariadb' ? `jdbc:mariadb://${MARIADB_HOST}/${database.name}` : `jdbc:postgresql://${PG_HOST}/${database.name}`;
  const port = options.port ?? (await freePort());
  const managementPort = await freePort();
  const relativePath = (options.relativePath ?? '/').replace(/\/+$/, '');
  const logFile = path.join(instance, 'keycloak.log');
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    path.join(instanceHome, 'bin/kc.sh'),
    [
      'start',
      '--optimized',
      `--db-url=${jdbcUrl}`,
      `--db-username=${dbUser}`,
      ...(options.database === 'mariadb' ? ['--db-password='] : []),
      '--http-enabled=true',
      '--http-host=127.0.0.1',
      `--http-port=${port}`,
      `--http-management-port=${managementPort}`,
      ...(options.hostname ? [`--hostname=${options.hostname}`] : ['--hostname-strict=false']),
    ],
    {
      env: {
        ...process.env,
        JAVA_HOME: KEYCLOAK_JAVA_HOME,
        KC_BOOTSTRAP_ADMIN_USERNAME: KEYCLOAK_ADMIN.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: KEYCLOAK_ADMIN.password,
      },
      stdio: ['ignore', log, log],
      // Its own process group, so that stop() reaches the JVM that kc.sh starts.
      detached: true,
    },
  );
  fs.closeSync(log);
  const baseUrl = `http://127.0.0.1:${port}${relativePath}`;
  const exited = once(child, 'exit');
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const shutdown = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  };
  const tail = () => fs.readFileSync(logFile, 'utf8').slice(-4000);
  // A bound, not a timing assertion: an optimized start takes 10-30 s on a loaded machine.
  const deadline = Date.now() + 300_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Keycloak exited with ${child.exitCode} (log ${logFile}):\n${tail()}`);
      try {
        const response = await fetch(`http://127.0.0.1:${managementPort}${relativePath}/health/ready`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`Keycloak did not become ready in time (log ${logFile}):\n${tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await shutdown();
    await database.drop();
    fs.rmSync(instance, { recursive: true, force: true });
    throw error;
  }

  const adminToken = async () => {
    const response = await fetch(`${baseUrl}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', ...KEYCLOAK_ADMIN }),
    });
    if (!response.ok) throw new Error(`Keycloak admin login: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { access_token: string }).access_token;
  };
  let token: { value: string; at: number } | undefined;
  const admin = async (method: string, adminPath: string, body?: unknown) => {
    // The master realm's access tokens live 60 s: take a new one well before.
    if (!token || Date.now() - token.at > 30_000) token = { value: await adminToken(), at: Date.now() };
    const response = await fetch(`${baseUrl}/admin${adminPath}`, {
      method,
      headers: { authorization: `Bearer ${token.value}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`Keycloak ${method} /admin${adminPath}: ${response.status} ${await response.text()}`);
    return response;
  };
  let stopped = false;
  return {
    baseUrl,
    port,
    dbUrl: database.url,
    dbName: database.name,
    logFile,
    adminToken,
    admin,
    shutdown,
    async stop() {
      if (stopped) return;
      stopped = true;
      await shutdown();
      await database.drop();
      fs.rmSync(instance, { recursive: true, force: true });
    },
  };
}
