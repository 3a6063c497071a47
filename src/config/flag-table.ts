/**
 * The one table of holdfast's flags. The parser (which names exist, which take a value), the
 * configuration file and `HOLDFAST_*` variables (which keys they may set), `--help` (what each
 * means, its variable and default), the "did you mean" of an unknown flag and `show-config`
 * (what to mask) all read it, so none of them can drift from the others.
 */

export type FlagKind = 'string' | 'boolean';

export interface FlagSpec {
  kind: FlagKind;
  /** What the value looks like in `--help` (`<port>`, `sqlite|postgres`). */
  value?: string;
  /** The default as an operator reads it; the parser's defaults live beside it in config/index.ts. */
  default?: string;
  description: string;
  /** The value may carry a password (a URL with credentials): `show-config` masks it. */
  secret?: boolean;
}

/** Flags of the server: `start`, `start-dev` and every command that opens the store read them. */
export const SERVER_FLAGS = {
  'config-file': { kind: 'string', value: '<file>', default: 'conf/holdfast.conf (if it exists)', description: 'configuration file of key=value lines (the flag names without dashes, as keycloak.conf); a flag beats its variable, which beats the file' },
  'http-port': { kind: 'string', value: '<port>', default: '8080', description: 'listening port' },
  'http-host': { kind: 'string', value: '<address>', default: '0.0.0.0', description: 'listening address (of every listener)' },
  hostname: { kind: 'string', value: '<url|host>', default: 'from the request (start-dev only)', description: 'public base URL or host name; the issuer is <base>/realms/<realm>' },
  'http-relative-path': { kind: 'string', value: '</path>', default: '/', description: 'path every route is served under (a legacy /auth); the issuer is <base><path>/realms/<realm>' },
  'hostname-strict': { kind: 'boolean', default: 'true for start, false for start-dev', description: 'refuse to start without --hostname' },
  'proxy-headers': { kind: 'string', value: 'forwarded|xforwarded', default: 'none', description: 'take the client address, scheme and host from a proxy\'s headers' },
  'proxy-trusted-addresses': { kind: 'string', value: '<ip|cidr,…>', default: 'any peer', description: 'proxies whose forwarded headers are believed' },
  'http-management-port': { kind: 'string', value: '<port>', default: '9000', description: 'management interface: /health/*, /metrics' },
  'http-management-relative-path': { kind: 'string', value: '</path>', default: 'the --http-relative-path', description: 'path of /health/* and /metrics on the management port' },
  'health-enabled': { kind: 'boolean', default: 'true', description: 'serve /health/* on the management port' },
  'metrics-enabled': { kind: 'boolean', default: 'true', description: 'serve /metrics on the management port' },
  'https-port': { kind: 'string', value: '<port>', default: '8443', description: 'HTTPS listener port (with a certificate)' },
  'https-certificate-file': { kind: 'string', value: '<pem>', description: 'PEM certificate chain: also serve HTTPS' },
  'https-certificate-key-file': { kind: 'string', value: '<pem>', description: 'PEM private key of the certificate' },
  'rate-limit-window': { kind: 'string', value: '<seconds>', default: '60', description: 'length of one rate-limit counting window' },
  'rate-limit-per-ip': { kind: 'string', value: '<count>', default: '3000', description: 'requests per window from one address to one endpoint group; 0 is off' },
  'rate-limit-per-client': { kind: 'string', value: '<count>', default: '30000', description: 'requests per window naming one client_id; 0 is off' },
  'rate-limit-exempt': { kind: 'string', value: '<ip|cidr,…|none>', default: '127.0.0.0/8,::1', description: 'client addresses never rate-limited' },
  'shutdown-delay': { kind: 'string', value: '<seconds>', default: '0', description: 'after SIGTERM, answer readiness 503 this long before closing' },
  'outbound-addresses': { kind: 'string', value: 'any|public', default: 'any', description: 'where holdfast may connect for a client (jwks.url, back-channel logout)' },
  db: { kind: 'string', value: 'sqlite|postgres', default: 'sqlite', description: 'realm database: embedded SQLite or PostgreSQL' },
  'db-url': { kind: 'string', value: 'postgres://…', description: 'PostgreSQL URL for --db postgres; several hosts (h1:5432,h2:5432, the local site first) for multi-site: nodes follow the writable primary', secret: true },
  'db-pool-size': { kind: 'string', value: '<count>', default: '10', description: 'PostgreSQL connections of one node' },
  'db-query-timeout': { kind: 'string', value: '<ms>', default: '5000', description: "a request's PostgreSQL query unanswered this long answers 503 (e.g. a commit waiting for a lost synchronous standby); 0 is no bound" },
  'data-dir': { kind: 'string', value: '<dir>', default: './data', description: 'directory of the SQLite file (one process at a time)' },
  sessions: { kind: 'string', value: 'sql|redis|memory', default: 'sql', description: 'where sessions live: the realm database, Redis/Valkey, or memory' },
  'sessions-url': {
    kind: 'string',
    value: 'redis://…|redis+sentinel://…',
    description: 'Redis/Valkey URL for --sessions redis; redis+sentinel://[user:pass@]host:26379,host:26379/<master> finds the master through Sentinel and follows its promotions',
    secret: true,
  },
  'sessions-redis-wait-replicas': { kind: 'string', value: '<count>', default: '0 (off)', description: 'replicas that must confirm (Redis WAIT) a session create, logout, revocation, code or token use and brute-force counter before it is acknowledged; fewer in time fail the request with 503' },
  'sessions-redis-wait-timeout': { kind: 'string', value: '<ms>', default: '500', description: 'how long a write waits for --sessions-redis-wait-replicas confirmations' },
  'sessions-key-prefix': { kind: 'string', value: '<prefix>', default: 'holdfast:', description: 'key prefix in Redis' },
  'log-level': { kind: 'string', value: 'fatal|error|warn|info|debug|trace|silent', default: 'info', description: 'log level' },
  'access-log': { kind: 'boolean', default: 'false', description: 'one info line per public request: method, route, path without query, status, outcome, milliseconds, client address' },
  'cache-size': { kind: 'string', value: '<count>', default: '10000', description: 'entries per cache (user sessions, users)' },
  'expiry-interval': { kind: 'string', value: '<seconds>', default: '900', description: 'seconds between expiry sweeps; 0 is off' },
  'expiry-batch-size': { kind: 'string', value: '<rows>', default: '1000', description: 'rows the sweeper deletes per statement' },
  demo: { kind: 'boolean', default: 'false (true for npm start)', description: 'seed the demo realms on an empty database' },
  'import-realm': { kind: 'boolean', default: 'false', description: 'import <data-dir>/import/*.json at start, skipping realms that exist' },
  'allow-lossy-import': { kind: 'boolean', default: 'false', description: 'import realm files with parts holdfast cannot honour, listing them' },
  workers: { kind: 'string', value: '<count>', default: 'CPU cores for start, 1 for start-dev', description: 'worker processes of this node, serving one port and sharing the store (node:cluster); a dead worker is restarted' },
  'node-route': { kind: 'string', value: '<route>', default: '<host>-<port>', description: 'this node\'s name in AUTH_SESSION_ID routes and the load balancer' },
  'route-cookie': { kind: 'boolean', default: 'true', description: 'append .<route> to AUTH_SESSION_ID' },
  'kek-file': { kind: 'string', value: '<file>', default: '<data-dir>/kek (SQLite only)', description: 'key-encryption key sealing realm keys (or HOLDFAST_KEK holding it)' },
  'kek-previous-file': { kind: 'string', value: '<file>', description: 'the key-encryption key being replaced (or HOLDFAST_KEK_PREVIOUS)' },
  'themes-dir': { kind: 'string', value: '<dir>', description: 'folder of login themes searched before the built-in ones' },
} as const satisfies Record<string, FlagSpec>;

export type ServerFlagName = keyof typeof SERVER_FLAGS;

/** Variables read from the environment only: a secret on a command line would show in `ps`. */
export const ENVIRONMENT_ONLY = [
  { name: 'HOLDFAST_KEK', description: 'the key-encryption key itself (instead of --kek-file)', secret: true },
  { name: 'HOLDFAST_KEK_PREVIOUS', description: 'the key being replaced (instead of --kek-previous-file)', secret: true },
  { name: 'HOLDFAST_BOOTSTRAP_ADMIN_USERNAME', description: 'master realm admin created on an empty database', secret: false },
  { name: 'HOLDFAST_BOOTSTRAP_ADMIN_PASSWORD', description: 'its password', secret: true },
] as const;

export interface CommandSpec {
  summary: string;
  usage: string;
  /** Flags of this command alone (command line only), taken before the server flags are parsed. */
  flags: Record<string, FlagSpec>;
  /** Whether the server flags apply (every command that opens the store). */
  serverFlags: boolean;
}

export const COMMANDS: Record<string, CommandSpec> = {
  start: { summary: 'run the server in production mode (--hostname required)', usage: 'holdfast start --hostname <url|host> [flags]', flags: {}, serverFlags: true },
  'start-dev': { summary: 'run the server in development mode (URLs from each request)', usage: 'holdfast start-dev [flags]', flags: {}, serverFlags: true },
  import: {
    summary: 'import realms in Keycloak\'s format into the store',
    usage: 'holdfast import (--file <realm.json> | --dir <dir>) [flags]',
    flags: {
      file: { kind: 'string', value: '<realm.json>', description: 'a realm file (one realm or an array)' },
      dir: { kind: 'string', value: '<dir>', description: 'every *.json realm file of a directory' },
      override: { kind: 'string', value: 'true|false', default: 'true', description: 'replace a realm that exists (false: skip it)' },
    },
    serverFlags: true,
  },
  export: {
    summary: 'export realms in Keycloak\'s format',
    usage: 'holdfast export [--realm <name>] (--file <out.json> | --dir <dir>) [flags]',
    flags: {
      realm: { kind: 'string', value: '<name>', default: 'every realm', description: 'the realm to export' },
      file: { kind: 'string', value: '<out.json>', description: 'one file (an array without --realm)' },
      dir: { kind: 'string', value: '<dir>', description: 'one <realm>-realm.json per realm' },
      users: { kind: 'string', value: 'realm_file|skip', default: 'realm_file', description: 'users inside the realm file, or none' },
      'include-keys': { kind: 'string', value: 'true|false', default: 'true', description: 'include the realm\'s private keys' },
    },
    serverFlags: true,
  },
  backup: {
    summary: 'write a consistent copy of the embedded store, online (SQLite\'s backup API; PostgreSQL: docs/operations.md)',
    usage: 'holdfast backup --to <file> [--data-dir <dir>] [flags]',
    flags: {
      to: { kind: 'string', value: '<file>', description: 'the backup file to write (never replaces one)' },
    },
    serverFlags: true,
  },
  restore: {
    summary: 'put a backup in place in a data directory, checked first (integrity, schema, key-encryption key)',
    usage: 'holdfast restore --from <file> --data-dir <dir> [--force] [--kek-file <file>] [flags]',
    flags: {
      from: { kind: 'string', value: '<file>', description: 'the file holdfast backup wrote' },
      force: { kind: 'boolean', default: 'false', description: 'replace the database of a data directory that has one (never one a running node holds)' },
    },
    serverFlags: true,
  },
  'migrate-store': {
    summary: 'copy everything to another store (SQLite ↔ PostgreSQL, sessions SQL ↔ Redis), resumable, verified by counts and checksums',
    usage: 'holdfast migrate-store --from <store> --to <store> [--resume] [--batch-size <rows>]',
    flags: {
      from: { kind: 'string', value: 'sqlite:<dir>|postgres://…|redis://…', description: 'the store to copy from; no node may write to it meanwhile', secret: true },
      to: { kind: 'string', value: 'sqlite:<dir>|postgres://…|redis://…[?prefix=<p>]', description: 'the store to copy to (empty unless --resume); redis:// copies the sessions only', secret: true },
      resume: { kind: 'boolean', default: 'false', description: 'finish a copy that stopped: rows already copied are overwritten, none doubled' },
      'batch-size': { kind: 'string', value: '<rows>', default: '1000', description: 'rows read and written per statement' },
    },
    serverFlags: false,
  },
  'migrate-from-keycloak': {
    summary: 'carry a stopped Keycloak 26\'s realms, keys, users and sessions into the store, so nobody is logged out (pre-flight first)',
    usage: 'holdfast migrate-from-keycloak --keycloak-db-url postgres://… [--realm <name>]… [--include-master] [--dry-run] [--json] [flags]',
    flags: {
      'keycloak-db-url': { kind: 'string', value: 'postgres://…', description: 'Keycloak\'s database, postgres://, mariadb:// or mysql:// (a read-only role is enough); Keycloak must be stopped', secret: true },
      realm: { kind: 'string', value: '<name>', default: 'every realm but master', description: 'a realm to migrate (repeatable)' },
      'include-master': { kind: 'boolean', default: 'false', description: 'migrate the master realm too' },
      'dry-run': { kind: 'boolean', default: 'false', description: 'the pre-flight and the counts only: nothing is written' },
      json: { kind: 'boolean', default: 'false', description: 'print the report as JSON' },
      'allow-losses': { kind: 'boolean', default: 'false', description: 'migrate although the pre-flight found blockers: what they name is lost' },
      'batch-size': { kind: 'string', value: '<sessions>', default: '500', description: 'sessions read and written per batch' },
    },
    serverFlags: true,
  },
  'rotate-kek': { summary: 're-wrap every realm key under a new key-encryption key', usage: 'holdfast rotate-kek --kek-file <new> --kek-previous-file <old> [flags]', flags: {}, serverFlags: true },
  'show-schema': {
    summary: 'show the schema\'s migrations, whether this release can run on it, and which nodes run which release (reads only)',
    usage: 'holdfast show-schema [--db postgres --db-url <url> | --data-dir <dir>]',
    flags: {},
    serverFlags: true,
  },
  'show-config': { summary: 'print the configuration start would run with, and where each value comes from (secrets masked)', usage: 'holdfast show-config [flags]', flags: {}, serverFlags: true },
};

export function envName(flag: string): string {
  return 'HOLDFAST_' + flag.toUpperCase().replace(/-/g, '_');
}

/** Every flag a command accepts: its own, then the server's. */
export function commandFlags(command: string): Record<string, FlagSpec> {
  const spec = COMMANDS[command];
  return { ...spec.flags, ...(spec.serverFlags ? SERVER_FLAGS : {}) };
}
