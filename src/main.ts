/**
 * The `holdfast` command: `start` parses flags (and HOLDFAST_* variables), builds the app and
 * listens; SIGTERM/SIGINT stop accepting, flush pending session writes and exit 0.
 * Bad flags, a data directory another holdfast process holds, and a key-encryption key that is
 * missing or does not open the database, get a one-line error and exit code 2.
 */
import { buildApp } from './app.ts';
import { ConfigError, parseConfig, type Config } from './config/index.ts';
import { EXPORT_USAGE, IMPORT_USAGE, ROTATE_KEK_USAGE, importDirectory, importRealmsOnStart, runExport, runImport, runRotateKek } from './cli/index.ts';
import { KekError } from './crypto/index.ts';
import { DataDirInUse } from './store/sql/index.ts';

const USAGE = `usage: holdfast start [--http-port 8080] [--http-host 0.0.0.0] [--hostname URL|host] [--db sqlite|postgres]
                      [--db-url postgres://…] [--data-dir ./data] [--log-level info] [--cache-size 10000] [--demo]
                      [--db-pool-size 10] [--node-route <host>-<port>] [--route-cookie=true|false] [--import-realm]
                      [--expiry-interval 900] [--expiry-batch-size 1000] [--kek-file <path>] [--kek-previous-file <path>]
${IMPORT_USAGE}
${EXPORT_USAGE}
${ROTATE_KEK_USAGE}`;

function printBanner(config: Config, port: number, defaultAdminPassword: boolean): void {
  const base = config.hostname && /^https?:\/\//.test(config.hostname) ? config.hostname.replace(/\/$/, '') : `http://localhost:${port}`;
  const lines = [
    '',
    `holdfast is listening on ${base} (realms: ${config.db}${config.db === 'sqlite' ? ` in ${config.dataDir}` : ''}; sessions: ${config.sessions})`,
  ];
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

async function start(argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  let holdfast;
  try {
    holdfast = await buildApp({ config });
  } catch (error) {
    if (error instanceof DataDirInUse || error instanceof KekError) {
      console.error(`holdfast: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const { app } = holdfast;
  // Errors are handled where they arise; a promise someone forgot is a bug to log and fix, not a
  // reason to take down a node that serves every other request fine.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled promise rejection (a bug): the node keeps running'));
  if (config.importRealm) await importRealmsOnStart(holdfast.ctx, importDirectory(config.dataDir));
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
  await app.listen({ port: config.httpPort, host: config.httpHost });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
  printBanner(config, port, holdfast.seed.defaultAdminPassword);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'start') return start(rest);
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
