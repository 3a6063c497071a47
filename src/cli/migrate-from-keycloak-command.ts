/**
 * `holdfast migrate-from-keycloak --keycloak-db-url postgres://… [--realm r]… [--include-master]
 * [--dry-run] [--json] [--allow-losses]`: reads a stopped Keycloak 26's database in one snapshot
 * (src/migrate-keycloak) and writes its realms, keys, users and sessions into the store `start`
 * would use, sessions into the configured session store. Exit 0 when written (or a clean dry run),
 * 1 when refused (not Keycloak, wrong version, blockers, a realm holdfast cannot import), 2 for
 * usage errors.
 */
import { systemClock } from '../clock/index.ts';
import { COMMANDS, ConfigError, parseConfig, type Config } from '../config/index.ts';
import { KekError } from '../crypto/index.ts';
import { KeycloakReadError, KeycloakSchemaProblem, MigrationRefused, migrateFromKeycloak, reportLines, type MigrationReport } from '../migrate-keycloak/index.ts';
import type { SessionStore } from '../session/index.ts';
import { RedisSessionStore } from '../store/redis/index.ts';
import { SqlSessionStore } from '../store/sql/index.ts';
import { takeFlags, takeSwitch } from './cli-args.ts';
import { createProgress } from './progress.ts';
import { openRealmStore, RealmStoreInUse, type RealmStore } from './realm-store.ts';

export const MIGRATE_FROM_KEYCLOAK_USAGE = `usage: ${COMMANDS['migrate-from-keycloak'].usage}  (holdfast migrate-from-keycloak --help lists every flag)`;

/** `--realm` may be given several times, which takeFlags refuses: taken out first. */
function takeRealms(argv: string[]): { realms: string[]; rest: string[] } {
  const realms: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const match = /^--realm(?:=(.*))?$/.exec(argv[i]);
    if (!match) {
      rest.push(argv[i]);
      continue;
    }
    const value = match[1] ?? argv[++i];
    if (value === undefined || value === '' || (match[1] === undefined && value.startsWith('--'))) throw new ConfigError('--realm: expected a realm name');
    realms.push(value);
  }
  return { realms, rest };
}

function sessionStoreOf(config: Config, store: RealmStore): SessionStore {
  if (config.sessions === 'redis') return new RedisSessionStore({ url: config.sessionsUrl!, keyPrefix: config.sessionsKeyPrefix, waitReplicas: config.sessionsWaitReplicas, waitTimeoutMs: config.sessionsWaitTimeoutMs });
  if (config.sessions === 'memory') throw new ConfigError('--sessions memory keeps no session past the process: migrate into the database or Redis');
  return new SqlSessionStore(store.database.db);
}

export async function runMigrateFromKeycloak(argv: string[]): Promise<number> {
  let url: string;
  let realms: string[];
  let switches: Record<'include-master' | 'dry-run' | 'json' | 'allow-losses', boolean>;
  let batchSize: number | undefined;
  let config: Config;
  try {
    const taken = takeRealms(argv);
    realms = taken.realms;
    let rest = taken.rest;
    switches = { 'include-master': false, 'dry-run': false, json: false, 'allow-losses': false };
    for (const name of Object.keys(switches) as Array<keyof typeof switches>) {
      const result = takeSwitch(rest, name);
      switches[name] = result.on;
      rest = result.rest;
    }
    const { values, rest: serverArgs } = takeFlags(rest, ['keycloak-db-url', 'batch-size']);
    const given = values.get('keycloak-db-url');
    if (given === undefined) throw new ConfigError('--keycloak-db-url is required');
    url = given;
    const batch = values.get('batch-size');
    if (batch !== undefined && !/^[1-9]\d{0,5}$/.test(batch)) throw new ConfigError(`--batch-size: expected a number of sessions (1-999999), got '${batch}'`);
    batchSize = batch === undefined ? undefined : Number(batch);
    config = parseConfig(serverArgs);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast migrate-from-keycloak: ${error.message}\n${MIGRATE_FROM_KEYCLOAK_USAGE}`);
      return 2;
    }
    throw error;
  }
  const dryRun = switches['dry-run'];
  let store: RealmStore | undefined;
  let sessions: SessionStore | undefined;
  try {
    if (!dryRun) {
      store = await openRealmStore(config, 'migrate-from-keycloak');
      sessions = sessionStoreOf(config, store);
    }
    const progress = createProgress({ label: 'sessions', unit: 'sessions' });
    let report: MigrationReport;
    let carried = 0;
    try {
      report = await migrateFromKeycloak(url, store && sessions ? { repository: store.repository, sessions } : undefined, {
        realms,
        includeMaster: switches['include-master'],
        dryRun,
        allowLosses: switches['allow-losses'],
        nowMs: systemClock.nowMs(),
        batchSize,
        onProgress: ({ done, total }) => {
          carried = done;
          progress.update(done, total);
        },
      });
    } finally {
      progress.finish(`${carried.toLocaleString('en-US')} read`);
    }
    if (switches.json) console.log(JSON.stringify(report, null, 2));
    else for (const line of reportLines(report)) console.log(line);
    if (!dryRun && !report.written) return 1;
    return report.realms.every((r) => r.verified) ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast migrate-from-keycloak: ${error.message}`);
      return 2;
    }
    if (error instanceof RealmStoreInUse || error instanceof KekError) {
      console.error(`holdfast migrate-from-keycloak: ${error.message}`);
      return 2;
    }
    if (error instanceof KeycloakSchemaProblem || error instanceof MigrationRefused) {
      const written = error instanceof MigrationRefused ? error.written : [];
      const outcome = written.length === 0 ? 'nothing was written' : `nothing of that realm was written; ${written.join(', ')} migrated before it stay`;
      console.error(`holdfast migrate-from-keycloak: ${error.message} (${outcome})`);
      return 1;
    }
    if (error instanceof KeycloakReadError) {
      console.error(`holdfast migrate-from-keycloak: ${error.message} (the migration stopped; run it again once fixed: it replaces what this run wrote)`);
      return 1;
    }
    throw error;
  } finally {
    await sessions?.close();
    await store?.close();
  }
}
