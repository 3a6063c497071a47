/**
 * The `holdfast` command (`--help`, `--version`, and the commands of config/flag-table.ts, each
 * with its `--help`): `start` (production: `--hostname` required) and `start-dev` (the URL
 * may come from each request, as Keycloak's `start-dev`) parse flags (and HOLDFAST_* variables),
 * build the app and listen; SIGTERM/SIGINT stop accepting, flush pending session writes and
 * exit 0. Bad flags, a data directory another holdfast process holds, and a key-encryption key
 * that is missing or does not open the database, and a schema this release cannot run with
 * (store/sql/schema-compatibility.ts), get a one-line error and exit code 2.
 */
import cluster from 'node:cluster';
import { pino } from 'pino';
import { buildApp, type Holdfast } from './app.ts';
import { WORKER_INDEX_VARIABLE, WORKER_PREPARES_VARIABLE, WorkerPool, type WorkerMessage } from './cluster/index.ts';
import { COMMANDS, ConfigError, checkStartConfig, commandFlags, nearestName, parseConfig, refuseUnknownFlags, type Config } from './config/index.ts';
import { listen } from './http/listeners.ts';
import { HOLDFAST_VERSION, commandHelp, printBanner, importDirectory, importRealmsOnStart, mainHelp, runBackup, runExport, runImport, runMigrateFromKeycloak, runMigrateStore, runRestore, runRotateKek, runShowConfig, runShowSchema } from './cli/index.ts';
import { KekError } from './crypto/index.ts';
import { DataDirInUse, HOLDER_VARIABLE, SchemaGap, SchemaTooNew, lockDataDir, type DataDirLock } from './store/sql/index.ts';

function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DataDirInUse || error instanceof KekError || error instanceof SchemaTooNew || error instanceof SchemaGap) {
    console.error(`holdfast: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

/** This process's place in a node run with `--workers N`: undefined when it is the node itself. */
function workerOfNode(): { index: number; prepares: boolean } | undefined {
  return cluster.isWorker ? { index: Number(process.env[WORKER_INDEX_VARIABLE] ?? 0), prepares: process.env[WORKER_PREPARES_VARIABLE] === '1' } : undefined;
}

async function start(argv: string[], development: boolean): Promise<void> {
  let config: Config;
  let holdfast: Holdfast;
  const worker = workerOfNode();
  try {
    config = parseConfig(argv, process.env, { development });
    checkStartConfig(config);
    // A flag that would change nothing is refused, not ignored.
    if (config.allowLossyImport && !config.importRealm) throw new ConfigError('--allow-lossy-import only applies to realm imports: give it with --import-realm');
    if (config.workers > 1 && !worker) return await runWorkers(config);
    holdfast = await buildApp({ config, worker });
  } catch (error) {
    exitOnConfigError(error);
  }
  const { app } = holdfast;
  // Errors are handled where they arise; a promise someone forgot is a bug to log and fix, not a
  // reason to take down a node that serves every other request fine.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled promise rejection (a bug): the node keeps running'));
  // The worker that prepares the database (worker 0's first start) imports before it listens,
  // and so before the other workers start; a restarted worker 0 neither imports nor prints again.
  const first = !worker || worker.prepares;
  if (config.importRealm && first) await importRealmsOnStart(holdfast.ctx, importDirectory(config.dataDir), config.allowLossyImport);
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
  if (first) printBanner(config, ports, holdfast.seed.defaultAdminPassword);
  if (worker) process.send!({ holdfast: 'ready' } satisfies WorkerMessage);
}

/**
 * The primary of a node with `--workers N`: holds the data directory (a foreign process is still
 * refused; the workers inherit the lock), starts the workers and keeps them running.
 */
async function runWorkers(config: Config): Promise<void> {
  let lock: DataDirLock | undefined;
  try {
    lock = config.db === 'sqlite' && config.dataDir !== ':memory:' ? lockDataDir(config.dataDir) : undefined;
  } catch (error) {
    exitOnConfigError(error);
  }
  const log = pino({ level: config.logLevel });
  const exit = (code: number) => {
    lock?.release();
    process.exit(code);
  };
  const pool = new WorkerPool({
    workers: config.workers,
    env: lock ? { [HOLDER_VARIABLE]: String(process.pid) } : {},
    log,
    shutdownDelaySeconds: config.shutdownDelaySeconds,
    onFatal: exit,
  });
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the workers');
    await pool.stop(signal);
    exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    await pool.start();
  } catch (error) {
    log.error({ err: error }, 'a worker failed to start');
    await pool.stop('SIGTERM');
    exit((error as { exitCode?: number }).exitCode ?? 1);
  }
  log.info({ workers: pool.pids() }, `node serving with ${config.workers} workers`);
}

const RUNNERS: Record<string, (argv: string[]) => Promise<number | void>> = {
  start: (argv) => start(argv, false),
  'start-dev': (argv) => start(argv, true),
  import: runImport,
  export: runExport,
  backup: runBackup,
  restore: runRestore,
  'migrate-store': runMigrateStore,
  'migrate-from-keycloak': runMigrateFromKeycloak,
  'rotate-kek': runRotateKek,
  'show-config': runShowConfig,
  'show-schema': runShowSchema,
};

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === '--version' || command === 'version') {
    console.log(`holdfast ${HOLDFAST_VERSION}`);
    return;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(rest[0] !== undefined && rest[0] in COMMANDS ? commandHelp(rest[0]) : mainHelp());
    return;
  }
  const run = RUNNERS[command];
  if (!run) {
    const nearest = nearestName(command, Object.keys(COMMANDS));
    console.error(`holdfast: unknown command '${command}'${nearest ? ` (did you mean ${nearest}?)` : ''}\n${mainHelp()}`);
    process.exit(2);
  }
  if (wantsHelp(rest)) {
    console.log(commandHelp(command));
    return;
  }
  try {
    refuseUnknownFlags(rest, commandFlags(command));
  } catch (error) {
    exitOnConfigError(error);
  }
  const code = await run(rest);
  if (typeof code === 'number') process.exit(code);
}

main().catch((error) => {
  console.error('holdfast: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
