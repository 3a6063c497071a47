/**
 * The `holdfast` command: `start` (production: `--hostname` required) and `start-dev` (the URL
 * may come from each request, as Keycloak's `start-dev`) parse flags (and HOLDFAST_* variables),
 * build the app and listen; SIGTERM/SIGINT stop accepting, flush pending session writes and
 * exit 0. Bad flags, a data directory another holdfast process holds, and a key-encryption key
 * that is missing or does not open the database, get a one-line error and exit code 2.
 */
import { buildApp, type Holdfast } from './app.ts';
import { ConfigError, checkStartConfig, parseConfig, type Config } from './config/index.ts';
import { listen, type ListeningPorts } from './http/listeners.ts';
import { EXPORT_USAGE, IMPORT_USAGE, ROTATE_KEK_USAGE, importDirectory, importRealmsOnStart, runExport, runImport, runRotateKek } from './cli/index.ts';
import { KekError } from './crypto/index.ts';
import { DataDirInUse } from './store/sql/index.ts';

const USAGE = `usage: holdfast start --hostname URL|host [--hostname-strict=true|false] [--http-port 8080] [--http-host 0.0.0.0]
                      [--db sqlite|postgres] [--db-url postgres://…] [--data-dir ./data] [--log-level info] [--cache-size 10000]
                      [--demo] [--db-pool-size 10] [--node-route <host>-<port>] [--route-cookie=true|false] [--import-realm [--allow-lossy-import]]
                      [--expiry-interval 900] [--expiry-batch-size 1000] [--proxy-headers forwarded|xforwarded]
                      [--proxy-trusted-addresses IP|CIDR,…] [--http-management-port 9000] [--health-enabled=true|false]
                      [--metrics-enabled=true|false] [--https-port 8443] [--https-certificate-file PEM]
                      [--https-certificate-key-file PEM] [--rate-limit-window 60] [--rate-limit-per-ip 3000]
                      [--rate-limit-per-client 30000] [--rate-limit-exempt 127.0.0.0/8,::1|none] [--shutdown-delay 0]
                      [--kek-file <path>] [--kek-previous-file <path>]
       holdfast start-dev [the same flags]   development: --hostname-strict=false unless given
${IMPORT_USAGE}
${EXPORT_USAGE}
${ROTATE_KEK_USAGE}`;

function printBanner(config: Config, ports: ListeningPorts, defaultAdminPassword: boolean): void {
  const base = config.hostname && /^https?:\/\//.test(config.hostname) ? config.hostname.replace(/\/$/, '') : `http://localhost:${ports.http}`;
  const lines = [
    '',
    `holdfast is listening on ${base} (realms: ${config.db}${config.db === 'sqlite' ? ` in ${config.dataDir}` : ''}; sessions: ${config.sessions})`,
  ];
  if (ports.https !== undefined) lines.push(`  HTTPS on port ${ports.https}`);
  if (ports.management !== undefined) lines.push(`  management interface (health, metrics) on http://${config.httpHost === '0.0.0.0' ? 'localhost' : config.httpHost}:${ports.management}`);
  if (config.demo) {
    lines.push(
      '',
      'Demo realm:',
      `  discovery   ${base}/realms/demo/.well-known/openid-configuration`,
      `  try a login ${base}/realms/demo/protocol/openid-connect/auth?client_id=demo-app&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F&response_type=code&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuJJRbV0Ys0&code_challenge_method=S256`,
      '              user alice / password alice',
      `  token       curl -d grant_type=password -d client_id=demo-service -d client_secret=demo-service-secret -d username=alice -d password=alice -d scope=openid ${base}/realms/demo/protocol/openid-connect/token`,
      `  admin       realm master, client admin-cli, user ${process.env.HOLDFAST_BOOTSTRAP_ADMIN_USERNAME ?? 'admin'}`,
    );
  }
  console.log(lines.join('\n') + '\n');
  if (defaultAdminPassword) {
    console.warn(
      [
        '!!! ================================================================== !!!',
        '!!!  WARNING: the master realm admin is admin / admin.                  !!!',
        '!!!  Set HOLDFAST_BOOTSTRAP_ADMIN_USERNAME and _PASSWORD for real use.  !!!',
        '!!! ================================================================== !!!',
      ].join('\n'),
    );
  }
}

function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DataDirInUse || error instanceof KekError) {
    console.error(`holdfast: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

async function start(argv: string[], development: boolean): Promise<void> {
  let config: Config;
  let holdfast: Holdfast;
  try {
    config = parseConfig(argv, process.env, { development });
    checkStartConfig(config);
    // A flag that would change nothing is refused, not ignored.
    if (config.allowLossyImport && !config.importRealm) throw new ConfigError('--allow-lossy-import only applies to realm imports: give it with --import-realm');
    holdfast = await buildApp({ config });
  } catch (error) {
    exitOnConfigError(error);
  }
  const { app } = holdfast;
  // Errors are handled where they arise; a promise someone forgot is a bug to log and fix, not a
  // reason to take down a node that serves every other request fine.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled promise rejection (a bug): the node keeps running'));
  if (config.importRealm) await importRealmsOnStart(holdfast.ctx, importDirectory(config.dataDir), config.allowLossyImport);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping: no new requests, flushing session writes');
    try {
      await holdfast.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const ports = await listen(holdfast, config);
  printBanner(config, ports, holdfast.seed.defaultAdminPassword);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'start') return start(rest, false);
  if (command === 'start-dev') return start(rest, true);
  if (command === 'import') process.exit(await runImport(rest));
  if (command === 'export') process.exit(await runExport(rest));
  if (command === 'rotate-kek') process.exit(await runRotateKek(rest));
  if (command === undefined || command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  console.error(`holdfast: unknown command '${command}'\n${USAGE}`);
  process.exit(2);
}

main().catch((error) => {
  console.error('holdfast: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
