/**
 * Server configuration: the one place that knows every flag, its environment variable and its
 * default. Flags mirror Keycloak's names (`--http-port`, `--hostname`, `--db`, …); each is also
 * read from `HOLDFAST_<NAME>` (upper case, dashes as underscores) and from the configuration file
 * (`db-url=…`). As in Keycloak: a flag beats its variable, which beats the file, which beats the default.
 */
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './config-error.ts';
import { parseEdgeConfig, testEdgeConfig, type EdgeConfig } from './edge-config.ts';
import { locateConfigFile, readConfigFile } from './config-file.ts';
import { refuseUnknownFlags } from './did-you-mean.ts';
import { parseRedisAddress } from './redis-address.ts';
import { SERVER_FLAGS, envName, type FlagKind, type ServerFlagName } from './flag-table.ts';
import { parsePostgresUrl } from './postgres-url.ts';

export { ConfigError } from './config-error.ts';
export { checkStartConfig, type EdgeConfig, type ProxyHeaders, type RateLimitConfig } from './edge-config.ts';
export { COMMANDS, ENVIRONMENT_ONLY, SERVER_FLAGS, commandFlags, envName, type CommandSpec, type FlagSpec, type ServerFlagName } from './flag-table.ts';
export { nearestName, refuseUnknownFlags } from './did-you-mean.ts';
export { DEFAULT_CONFIG_FILE } from './config-file.ts';
export { parsePostgresUrl, type PostgresServer, type PostgresTarget, type TargetSessionAttrs } from './postgres-url.ts';
export { parseRedisAddress, type RedisAddress, type SentinelAddress } from './redis-address.ts';

export type DbKind = 'sqlite' | 'postgres';
export type SessionsKind = 'sql' | 'redis' | 'memory';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config extends EdgeConfig {
  httpPort: number;
  httpHost: string;
  /** Public base URL or bare host name; unset means "derive from the request" (dev mode). */
  hostname?: string;
  db: DbKind;
  dbUrl?: string;
  /** Connections in the PostgreSQL pool of one node. */
  dbPoolSize: number;
  /** A request's PostgreSQL query unanswered this long answers 503 (a commit waiting for a lost synchronous standby); 0 is no bound. */
  dbQueryTimeoutMs: number;
  dataDir: string;
  /** Where sessions live: the realm database (default), Redis/Valkey, or process memory. */
  sessions: SessionsKind;
  sessionsUrl?: string;
  sessionsKeyPrefix: string;
  /**
   * Writes that must survive the loss of the master's site are confirmed by this many replicas
   * (Redis `WAIT`) before they are acknowledged; 0 is off. Fewer acknowledgements within
   * `sessionsWaitTimeoutMs` fail the request (503) instead.
   */
  sessionsWaitReplicas: number;
  sessionsWaitTimeoutMs: number;
  logLevel: LogLevel;
  /** One info line per public request (`--access-log`). */
  accessLog: boolean;
  /** Entries per cached kind (user sessions, users). */
  cacheSize: number;
  /** Seed the demo realm and a default admin on an empty database. */
  demo: boolean;
  /** Import the realm files in `<data-dir>/import` at start, skipping realms that exist (Keycloak's `--import-realm`). */
  importRealm: boolean;
  /** Realm imports (`import`, `start --import-realm`) take files with parts holdfast cannot honour, listing them. */
  allowLossyImport: boolean;
  /** Upper bound on how stale the stored `lastRefresh` of a session may be (DESIGN rule 3). */
  touchIntervalSeconds: number;
  /** How often pending session touches are written in one batch. */
  touchFlushMs: number;
  /** Seconds between runs of the expiry sweeper; 0 turns the periodic run off. */
  expiryIntervalSeconds: number;
  /** Rows of each kind the sweeper deletes per statement. */
  expiryBatchSize: number;
  bootstrapAdmin?: { username: string; password: string };
  /** This node's name in routes: the `<route>` of `AUTH_SESSION_ID` and the load balancer's server name. */
  nodeRoute: string;
  /** Processes of this node on one port (src/cluster/worker-pool.ts); 1 is the process itself. */
  workers: number;
  /** Append `.<route>` to `AUTH_SESSION_ID` (off for proxies that cannot parse the suffix). */
  routeCookie: boolean;
  /**
   * Logins in progress the store keeps per client and client network, and overall; beyond either
   * the oldest is evicted (its browser restarts the login from `KC_RESTART`).
   */
  authSessionLimits: { perOrigin: number; total: number };
  /** The key-encryption key sealing realm keys at rest, and the one it replaces during a rotation (README "Secrets at rest"). */
  kek?: KekSource;
  kekPrevious?: KekSource;
  /** Operator's theme folders (`--themes-dir`), searched before the themes shipped with holdfast. */
  themesDir?: string;
}

/** Where a key-encryption key comes from: a file, or the key itself in a variable (never a flag: `ps` would show it). */
export type KekSource = { file: string } | { variable: string; value: string };

/** `parseArgs` options for every server flag of the table. */
const FLAGS = Object.fromEntries(Object.entries(SERVER_FLAGS).map(([name, spec]) => [name, { type: spec.kind }])) as Record<ServerFlagName, { type: FlagKind }>;

type FlagName = ServerFlagName;

export const DEFAULTS = {
  httpPort: 8080,
  httpHost: '0.0.0.0',
  db: 'sqlite' as DbKind,
  dataDir: './data',
  logLevel: 'info' as LogLevel,
  cacheSize: 10_000,
  dbPoolSize: 10,
  dbQueryTimeoutMs: 5_000,
  routeCookie: true,
  touchIntervalSeconds: 60,
  touchFlushMs: 1_000,
  expiryIntervalSeconds: 900,
  expiryBatchSize: 1_000,
  sessionsWaitReplicas: 0,
  sessionsWaitTimeoutMs: 500,
  // 100 logins started from one network for one client within a login's lifetime (30 min) is far
  // beyond a busy office behind one NAT address; the total bounds a flood from many networks.
  authSessionLimits: { perOrigin: 100, total: 20_000 },
};

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`--${name}: expected an integer, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`--${name}: must be between ${min} and ${max}, got ${value}`);
  return value;
}

function booleanValue(name: string, raw: string, source = envName(name)): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${source}: expected true or false, got '${raw}'`);
}

const ROUTE_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

/** The default route: host name and port, in the characters a cookie and a load balancer's server name allow. */
export function defaultNodeRoute(port: number): string {
  const host = os.hostname().split('.')[0].replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 50) || 'node';
  return `${host}-${port}`;
}

/**
 * `parseArgs` refuses a value on a boolean flag; `--flag=true|false` is accepted here (and
 * `--route-cookie=false` is the documented way to turn the suffix off).
 */
function splitBooleanValues(argv: string[]): { args: string[]; explicit: Map<string, boolean> } {
  const explicit = new Map<string, boolean>();
  const args: string[] = [];
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    const flag = match && (FLAGS as Record<string, { type: string }>)[match[1]];
    if (match && flag?.type === 'boolean') explicit.set(match[1], booleanValue(match[1], match[2], `--${match[1]}`));
    else args.push(arg);
  }
  return { args, explicit };
}

export interface ParseOptions {
  /** `start-dev`: hostname strictness defaults to off. */
  development?: boolean;
}

export type FlagSource = 'flag' | 'env' | 'file';

export interface ResolvedFlags {
  /** The raw value of every flag that was given somewhere, with where it won from. */
  values: Map<FlagName, { value: string; source: FlagSource }>;
  configFile?: string;
}

/**
 * Each flag's raw value by precedence (flag, variable, file); unknown flags are refused with the
 * nearest known name, and so are unknown keys of the file.
 */
export function resolveFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): ResolvedFlags {
  refuseUnknownFlags(argv, SERVER_FLAGS);
  let parsed;
  const { args, explicit } = splitBooleanValues(argv);
  try {
    parsed = parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new ConfigError((error as Error).message.split('\n')[0]);
  }
  const given = { ...parsed.values, ...Object.fromEntries(explicit) } as Partial<Record<FlagName, string | boolean>>;
  const located = locateConfigFile(typeof given['config-file'] === 'string' ? given['config-file'] : undefined, env);
  const file = located && (located.required || fs.existsSync(located.file)) ? readConfigFile(located.file) : undefined;
  const values: ResolvedFlags['values'] = new Map();
  for (const name of Object.keys(SERVER_FLAGS) as FlagName[]) {
    const flag = given[name];
    const fromEnv = env[envName(name)];
    const fromFile = file?.values.get(name);
    if (flag !== undefined) values.set(name, { value: String(flag), source: 'flag' });
    else if (fromEnv !== undefined && fromEnv !== '') values.set(name, { value: fromEnv, source: 'env' });
    else if (fromFile !== undefined && fromFile !== '') values.set(name, { value: fromFile, source: 'file' });
  }
  return { values, configFile: file?.file };
}

/** --db and --db-url, checked. */
function databaseFlags(read: (name: FlagName) => string | undefined): { db: DbKind; dbUrl: string | undefined } {
  const db = read('db') ?? DEFAULTS.db;
  if (db !== 'sqlite' && db !== 'postgres') throw new ConfigError(`--db: expected sqlite or postgres, got '${db}'`);
  const dbUrl = read('db-url');
  if (db === 'postgres' && !dbUrl) throw new ConfigError('--db postgres needs --db-url postgres://…');
  if (dbUrl && db === 'postgres' && !/^postgres(ql)?:\/\//.test(dbUrl)) {
    throw new ConfigError(`--db-url: expected a postgres:// URL`);
  }
  if (dbUrl && db === 'postgres') parsePostgresUrl(dbUrl);
  return { db, dbUrl };
}

/**
 * Only the database a command opens (--db, --db-url, --data-dir, from flags, variables and the
 * file as for start), for a command that reads nothing else, such as show-schema: it needs no
 * key-encryption key because it reads no key.
 */
export function parseDatabaseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Pick<Config, 'db' | 'dbUrl' | 'dataDir'> {
  const { values } = resolveFlags(argv, env);
  const read = (name: FlagName): string | undefined => values.get(name)?.value;
  return { ...databaseFlags(read), dataDir: path.resolve(read('data-dir') ?? DEFAULTS.dataDir) };
}

/** Parses the flags that follow the sub-command. Throws ConfigError with a one-line message. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, { development = false }: ParseOptions = {}): Config {
  const { values } = resolveFlags(argv, env);
  const read = (name: FlagName): string | undefined => values.get(name)?.value;

  const { db, dbUrl } = databaseFlags(read);
  const sessions = read('sessions') ?? 'sql';
  if (sessions !== 'sql' && sessions !== 'redis' && sessions !== 'memory') throw new ConfigError(`--sessions: expected sql, redis or memory, got '${sessions}'`);
  const sessionsUrl = read('sessions-url');
  if (sessions === 'redis' && !sessionsUrl) throw new ConfigError('--sessions redis needs --sessions-url redis://…');
  if (sessionsUrl) parseRedisAddress(sessionsUrl);
  const sessionsWaitReplicas = integer('sessions-redis-wait-replicas', read('sessions-redis-wait-replicas') ?? String(DEFAULTS.sessionsWaitReplicas), 0, 100);
  const sessionsWaitTimeoutMs = integer('sessions-redis-wait-timeout', read('sessions-redis-wait-timeout') ?? String(DEFAULTS.sessionsWaitTimeoutMs), 1, 60_000);
  if (sessions !== 'redis' && (read('sessions-redis-wait-replicas') !== undefined || read('sessions-redis-wait-timeout') !== undefined)) {
    throw new ConfigError('--sessions-redis-wait-replicas and --sessions-redis-wait-timeout apply to --sessions redis only');
  }
  const logLevel = (read('log-level') ?? DEFAULTS.logLevel).toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  const hostname = read('hostname');
  if (hostname !== undefined) validateHostname(hostname);
  const httpPort = integer('http-port', read('http-port') ?? String(DEFAULTS.httpPort), 0, 65535);
  const nodeRoute = read('node-route') ?? defaultNodeRoute(httpPort);
  if (!ROUTE_SHAPE.test(nodeRoute)) throw new ConfigError(`--node-route: expected 1 to 64 of A-Z a-z 0-9 _ -, got '${nodeRoute}'`);

  const kekSource = (flag: FlagName, variable: string): KekSource | undefined => {
    const file = read(flag);
    const value = env[variable];
    if (file !== undefined && value) throw new ConfigError(`give the key-encryption key once: --${flag} or ${variable}, not both`);
    return file !== undefined ? { file: path.resolve(file) } : value ? { variable, value } : undefined;
  };
  const kek = kekSource('kek-file', 'HOLDFAST_KEK');
  const kekPrevious = kekSource('kek-previous-file', 'HOLDFAST_KEK_PREVIOUS');
  // Every node of a cluster must hold the same key: none is generated for PostgreSQL.
  if (db === 'postgres' && !kek) throw new ConfigError('--db postgres needs a key-encryption key, the same on every node: --kek-file <path> or HOLDFAST_KEK');
  if (kekPrevious && !kek) throw new ConfigError('--kek-previous-file needs the new key as --kek-file or HOLDFAST_KEK');

  const workersGiven = read('workers');
  // Memory sessions live in one process: workers would each see their own.
  if (sessions === 'memory' && workersGiven !== undefined && workersGiven !== '1') throw new ConfigError('--workers: --sessions memory keeps sessions in one process; give --workers 1 or another --sessions');
  const workers = integer('workers', workersGiven ?? String(development || sessions === 'memory' ? 1 : os.availableParallelism()), 1, 256);

  const adminUser = env.HOLDFAST_BOOTSTRAP_ADMIN_USERNAME;
  const adminPassword = env.HOLDFAST_BOOTSTRAP_ADMIN_PASSWORD;
  if (adminUser && !adminPassword) throw new ConfigError('HOLDFAST_BOOTSTRAP_ADMIN_PASSWORD is required with HOLDFAST_BOOTSTRAP_ADMIN_USERNAME');

  return {
    httpPort,
    httpHost: read('http-host') ?? DEFAULTS.httpHost,
    hostname,
    db,
    dbUrl,
    dbPoolSize: integer('db-pool-size', read('db-pool-size') ?? String(DEFAULTS.dbPoolSize), 1, 1000),
    dbQueryTimeoutMs: integer('db-query-timeout', read('db-query-timeout') ?? String(DEFAULTS.dbQueryTimeoutMs), 0, 3_600_000),
    dataDir: path.resolve(read('data-dir') ?? DEFAULTS.dataDir),
    sessions,
    sessionsUrl: sessionsUrl?.replace(/^valkey:/, 'redis:'),
    sessionsKeyPrefix: read('sessions-key-prefix') ?? 'holdfast:',
    sessionsWaitReplicas,
    sessionsWaitTimeoutMs,
    logLevel: logLevel as LogLevel,
    cacheSize: integer('cache-size', read('cache-size') ?? String(DEFAULTS.cacheSize), 1, 100_000_000),
    demo: booleanValue('demo', read('demo') ?? 'false'),
    importRealm: booleanValue('import-realm', read('import-realm') ?? 'false'),
    allowLossyImport: booleanValue('allow-lossy-import', read('allow-lossy-import') ?? 'false'),
    touchIntervalSeconds: DEFAULTS.touchIntervalSeconds,
    touchFlushMs: DEFAULTS.touchFlushMs,
    expiryIntervalSeconds: integer('expiry-interval', read('expiry-interval') ?? String(DEFAULTS.expiryIntervalSeconds), 0, 604_800),
    expiryBatchSize: integer('expiry-batch-size', read('expiry-batch-size') ?? String(DEFAULTS.expiryBatchSize), 1, 100_000),
    bootstrapAdmin: adminUser && adminPassword ? { username: adminUser, password: adminPassword } : undefined,
    nodeRoute,
    workers,
    routeCookie: booleanValue('route-cookie', read('route-cookie') ?? String(DEFAULTS.routeCookie)),
    accessLog: booleanValue('access-log', read('access-log') ?? 'false'),
    authSessionLimits: DEFAULTS.authSessionLimits,
    kek,
    kekPrevious,
    themesDir: themesDir(read('themes-dir')),
    ...parseEdgeConfig(read, integer, (name, raw) => booleanValue(name, raw), development),
  };
}

function themesDir(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const dir = path.resolve(value);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ConfigError(`--themes-dir: not a directory: '${value}'`);
  return dir;
}

function validateHostname(value: string): void {
  if (/^https?:\/\//.test(value)) {
    try {
      new URL(value);
      return;
    } catch {
      throw new ConfigError(`--hostname: not a valid URL: '${value}'`);
    }
  }
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(value)) throw new ConfigError(`--hostname: not a valid host name: '${value}'`);
}

/** Defaults for tests and embedding: an in-memory-like SQLite file under `dataDir`. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    httpPort: 0,
    httpHost: '127.0.0.1',
    db: 'sqlite',
    dataDir: ':memory:',
    dbPoolSize: DEFAULTS.dbPoolSize,
    dbQueryTimeoutMs: DEFAULTS.dbQueryTimeoutMs,
    sessions: 'sql',
    sessionsKeyPrefix: 'holdfast:',
    sessionsWaitReplicas: DEFAULTS.sessionsWaitReplicas,
    sessionsWaitTimeoutMs: DEFAULTS.sessionsWaitTimeoutMs,
    logLevel: 'silent',
    accessLog: false,
    cacheSize: DEFAULTS.cacheSize,
    demo: true,
    importRealm: false,
    allowLossyImport: false,
    touchIntervalSeconds: DEFAULTS.touchIntervalSeconds,
    touchFlushMs: DEFAULTS.touchFlushMs,
    expiryIntervalSeconds: DEFAULTS.expiryIntervalSeconds,
    expiryBatchSize: DEFAULTS.expiryBatchSize,
    nodeRoute: 'test',
    workers: 1,
    routeCookie: DEFAULTS.routeCookie,
    authSessionLimits: DEFAULTS.authSessionLimits,
    ...testEdgeConfig(),
    ...overrides,
  };
}
