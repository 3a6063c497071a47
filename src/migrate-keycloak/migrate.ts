/**
 * The migration from Keycloak's database to holdfast's store, in order: schema and version check,
 * pre-flight (nothing is written when it finds a blocker, unless the operator accepts the listed
 * losses), then per realm the realm itself through holdfast's realm import (replacing the realm of
 * that name, so a second run updates rather than duplicates), its sessions in batches (each session
 * replaced by id, and sessions of the realm the snapshot no longer carries removed), the revoked
 * token ids, and a post-flight count per realm and client. Everything is read from one snapshot.
 */
import { importRealm, LossyImport, ShapeError, ImportConflict, describeFindings } from '../admin/index.ts';
import { DEFAULT_REALM_SETTINGS, type Client, type Realm, type RealmRepository } from '../realm/index.ts';
import type { SessionStore, UserSession } from '../session/index.ts';
import { checkKeycloakSchema } from './keycloak-schema.ts';
import { KeycloakSchemaProblem, openKeycloakSnapshot, type Row } from './keycloak-snapshot.ts';
import { mapSessions, readSessionPage, type SkipReason } from './keycloak-sessions.ts';
import { preflight, type Preflight } from './preflight.ts';
import { readRealmRows } from './realm-rows.ts';
import { realmRepresentation } from './realm-representation.ts';

export interface MigrationTarget {
  repository: RealmRepository;
  sessions: SessionStore;
}

export interface MigrationOptions {
  /** Realm names to take; all but master when empty. */
  realms: string[];
  includeMaster: boolean;
  dryRun: boolean;
  /** Write even though the pre-flight found blockers: what they name is lost. */
  allowLosses: boolean;
  nowMs: number;
  batchSize?: number;
  onProgress?: (step: { realm: string; done: number; total: number }) => void;
}

export interface RealmOutcome {
  realm: string;
  users: number;
  clients: number;
  keys: number;
  /** Sessions carried (online/offline) and client sessions, as written. */
  carried: { online: number; offline: number; clientSessions: number };
  skipped: Partial<Record<SkipReason, number>>;
  skippedClientSessions: number;
  /** Sessions of this realm in holdfast's store before this run that the snapshot no longer carries, removed. */
  removed: number;
  /** Post-flight: what the store holds now, per kind and per client (by clientId). */
  stored: { online: number; offline: number; perClient: Record<string, { online: number; offline: number; expectedOnline: number; expectedOffline: number }> };
  verified: boolean;
  lossy: string[];
}

export interface MigrationReport {
  preflight: Preflight;
  written: boolean;
  /** Why nothing was written, when nothing was. */
  notWritten?: string;
  realms: RealmOutcome[];
  revokedTokens: number;
}

/**
 * A problem with the command's input (a realm that does not exist, one holdfast cannot import);
 * `written` names the realms migrated before it was found, which stay (a new run replaces them).
 */
export class MigrationRefused extends Error {
  constructor(
    message: string,
    readonly written: string[] = [],
  ) {
    super(message);
  }
}

export async function migrateFromKeycloak(url: string, target: MigrationTarget | undefined, options: MigrationOptions): Promise<MigrationReport> {
  const snapshot = await openKeycloakSnapshot(url);
  try {
    const keycloak = await checkKeycloakSchema(snapshot);
    const all = await snapshot.query('SELECT * FROM realm ORDER BY name');
    let selected: Row[];
    if (options.realms.length > 0) {
      const unknown = options.realms.filter((name) => !all.some((r) => r.name === name));
      if (unknown.length > 0) throw new MigrationRefused(`no realm ${unknown.map((n) => `'${n}'`).join(', ')} in this Keycloak (it has ${all.map((r) => r.name).join(', ')})`);
      selected = all.filter((r) => options.realms.includes(r.name as string) && (r.name !== 'master' || options.includeMaster || options.realms.includes('master')));
    } else {
      selected = all.filter((r) => r.name !== 'master' || options.includeMaster);
    }
    const checked = await preflight(snapshot, keycloak, selected);
    const report: MigrationReport = { preflight: checked, written: false, realms: [], revokedTokens: 0 };
    const blockers = checked.findings.filter((f) => f.severity === 'blocker');
    if (options.dryRun || !target) {
      report.notWritten = 'dry run';
    } else if (checked.verdict === 'not possible') {
      report.notWritten = `not possible: ${checked.verdictReason}`;
    } else if (blockers.length > 0 && !options.allowLosses) {
      report.notWritten = 'the pre-flight found blockers; pass --allow-losses to migrate anyway and lose what they name';
    }
    const nowSeconds = Math.floor(options.nowMs / 1000);
    for (const realmRow of selected) {
      const rows = await readRealmRows(snapshot, realmRow);
      const representation = realmRepresentation(rows);
      const outcome: RealmOutcome = {
        realm: realmRow.name as string,
        users: rows.users.length,
        clients: rows.clients.length,
        keys: rows.components.filter((c) => c.provider_type === 'org.keycloak.keys.KeyProvider').length,
        carried: { online: 0, offline: 0, clientSessions: 0 },
        skipped: {},
        skippedClientSessions: 0,
        removed: 0,
        stored: { online: 0, offline: 0, perClient: {} },
        verified: false,
        lossy: [],
      };
      report.realms.push(outcome);
      const write = report.notWritten === undefined && target !== undefined;
      let realm: Realm;
      let clients: Client[];
      if (write) {
        try {
          const imported = await importRealm(target.repository, representation, { nowMs: options.nowMs, ifExists: 'replace', allowLossy: options.allowLosses });
          outcome.lossy = [...imported.notHonoured, ...imported.ignored].map((f) => describeFindings([f]).join('; '));
          realm = imported.realm;
        } catch (error) {
          const before = report.realms.slice(0, -1).map((r) => r.realm);
          if (error instanceof LossyImport) throw new MigrationRefused(`realm '${outcome.realm}' has parts holdfast cannot honour (pass --allow-losses to import without them): ${error.message}`, before);
          if (error instanceof ShapeError || error instanceof ImportConflict) throw new MigrationRefused(`realm '${outcome.realm}' cannot be imported: ${error.message}`, before);
          throw error;
        }
        clients = await target.repository.listClients(realm.id);
      } else {
        // A dry run judges sessions with the realm's settings as the import would set them.
        realm = { id: realmRow.id as string, name: realmRow.name as string, settings: { ...DEFAULT_REALM_SETTINGS, ...pickSettings(representation) } } as Realm;
        clients = (representation.clients as Array<{ id: string; attributes: Record<string, string> }>).map((c) => ({ ...c }) as unknown as Client);
      }
      report.written = report.written || write;
      await carrySessions(snapshot, keycloak.rememberMeColumn, realm, clients, new Set(rows.users.map((u) => u.id as string)), outcome, write ? target : undefined, options, nowSeconds);
    }
    if (report.notWritten === undefined && target) {
      const revoked = await snapshot.query('SELECT id, expire FROM revoked_token WHERE expire > $1', [nowSeconds]);
      for (const row of revoked) await target.sessions.revokeToken(row.id as string, Number(row.expire));
      report.revokedTokens = revoked.length;
    }
    return report;
  } finally {
    await snapshot.close();
  }
}

function pickSettings(representation: Record<string, unknown>): Partial<Realm['settings']> {
  const settings: Record<string, unknown> = {};
  for (const name of Object.keys(DEFAULT_REALM_SETTINGS)) if (representation[name] !== undefined) settings[name] = representation[name];
  return settings as Partial<Realm['settings']>;
}

async function carrySessions(
  snapshot: Awaited<ReturnType<typeof openKeycloakSnapshot>>,
  rememberMeColumn: boolean,
  realm: Realm,
  clients: Client[],
  userIds: Set<string>,
  outcome: RealmOutcome,
  target: MigrationTarget | undefined,
  options: MigrationOptions,
  nowSeconds: number,
): Promise<void> {
  const byId = new Map(clients.map((c) => [c.id, c]));
  const batchSize = options.batchSize ?? 500;
  const total = Number((await snapshot.query('SELECT count(*)::int AS n FROM offline_user_session WHERE realm_id = $1', [realm.id]))[0]?.n ?? 0);
  const carried = new Set<string>();
  const expected = new Map<string, { online: number; offline: number }>();
  let done = 0;
  let after: { id: string; flag: string } | undefined;
  // Bounded by the row count: each page moves the keyset forward.
  for (let page = 0; page <= total / batchSize + 1; page++) {
    const rows = await readSessionPage(snapshot, realm.id, rememberMeColumn, batchSize, after);
    if (rows.rows.length === 0) break;
    const mapped = mapSessions(rows, realm, byId, userIds, nowSeconds);
    for (const [reason, n] of mapped.skipped) outcome.skipped[reason] = (outcome.skipped[reason] ?? 0) + n;
    outcome.skippedClientSessions += mapped.skippedClientSessions;
    // One write per page, each session replacing one of the same id: a re-run updates, never duplicates.
    if (target) await target.sessions.putUserSessions(mapped.sessions);
    for (const session of mapped.sessions) {
      carried.add(`${session.id}/${session.offline}`);
      if (session.offline) outcome.carried.offline++;
      else outcome.carried.online++;
      outcome.carried.clientSessions += session.clientSessions.size;
      for (const clientUuid of session.clientSessions.keys()) {
        const entry = expected.get(clientUuid) ?? { online: 0, offline: 0 };
        if (session.offline) entry.offline++;
        else entry.online++;
        expected.set(clientUuid, entry);
      }
    }
    done += rows.rows.length;
    options.onProgress?.({ realm: realm.name, done, total });
    after = rows.after;
    if (!after) break;
  }
  if (!target) {
    outcome.verified = true;
    return;
  }
  // Sessions an earlier run carried that this snapshot no longer does (expired, logged out since).
  for (const offline of [false, true]) {
    let stored = 0;
    const stale: UserSession[] = [];
    for (let first = 0, pages = 0; pages < 1_000_000; pages++) {
      const page = await target.sessions.listUserSessionsOfRealm(realm.id, { offline, first, max: batchSize });
      for (const session of page) {
        if (carried.has(`${session.id}/${session.offline}`)) stored++;
        else stale.push(session);
      }
      if (page.length < batchSize) break;
      first += page.length;
    }
    for (const session of stale) await target.sessions.deleteUserSession(session.id, session.offline);
    outcome.removed += stale.length;
    if (offline) outcome.stored.offline = stored;
    else outcome.stored.online = stored;
  }
  let verified = outcome.stored.online === outcome.carried.online && outcome.stored.offline === outcome.carried.offline;
  for (const client of clients) {
    const want = expected.get(client.id) ?? { online: 0, offline: 0 };
    const online = await target.sessions.countUserSessionsOfClient(realm.id, client.id, false);
    const offline = await target.sessions.countUserSessionsOfClient(realm.id, client.id, true);
    if (online === 0 && offline === 0 && want.online === 0 && want.offline === 0) continue;
    outcome.stored.perClient[client.clientId] = { online, offline, expectedOnline: want.online, expectedOffline: want.offline };
    if (online !== want.online || offline !== want.offline) verified = false;
  }
  outcome.verified = verified;
}

export { KeycloakSchemaProblem };
