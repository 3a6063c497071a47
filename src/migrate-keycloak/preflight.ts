/**
 * The pre-flight of `holdfast migrate-from-keycloak`: what the snapshot holds per realm and what
 * would stop a move without logouts (keycloak-migration-facts.md §5), read from the same
 * `REPEATABLE READ` snapshot the import then uses. A finding is a blocker (the move would lose
 * what the finding names: sessions, users or tokens) or a risk (it works if the operator does
 * what the finding says). The verdict sums them up.
 */
import type { KeycloakSnapshot, Row } from './keycloak-snapshot.ts';
import type { KeycloakVersion } from './keycloak-schema.ts';

export interface Finding {
  code: string;
  severity: 'blocker' | 'risk';
  realm?: string;
  message: string;
}

export interface RealmCounts {
  realm: string;
  id: string;
  users: number;
  clients: number;
  onlineSessions: number;
  offlineSessions: number;
  onlineClientSessions: number;
  offlineClientSessions: number;
  keyProviders: number;
}

export interface Preflight {
  keycloak: KeycloakVersion;
  realms: RealmCounts[];
  findings: Finding[];
  verdict: 'zero-logout possible' | 'possible with these losses' | 'not possible';
  /** One sentence saying why, for the report. */
  verdictReason: string;
}

const KEY_PROVIDER_TYPE = 'org.keycloak.keys.KeyProvider';
const USER_STORAGE_TYPE = 'org.keycloak.storage.UserStorageProvider';

const count = async (snapshot: KeycloakSnapshot, sql: string, values: unknown[]): Promise<number> => Number((await snapshot.query(sql, values))[0]?.n ?? 0);

export async function preflight(snapshot: KeycloakSnapshot, keycloak: KeycloakVersion, realms: Row[]): Promise<Preflight> {
  const findings: Finding[] = [];
  const counts: RealmCounts[] = [];
  for (const realm of realms) {
    const id = realm.id as string;
    const name = realm.name as string;
    const sessions = await snapshot.query(
      `SELECT offline_flag, count(*)::int AS n FROM offline_user_session WHERE realm_id = $1 GROUP BY offline_flag`,
      [id],
    );
    const clientSessions = await snapshot.query(
      `SELECT cs.offline_flag, count(*)::int AS n FROM offline_client_session cs JOIN offline_user_session us ON us.user_session_id = cs.user_session_id AND us.offline_flag = cs.offline_flag WHERE us.realm_id = $1 GROUP BY cs.offline_flag`,
      [id],
    );
    const of = (rows: Row[], flag: string) => Number(rows.find((r) => r.offline_flag === flag)?.n ?? 0);
    const realmCounts: RealmCounts = {
      realm: name,
      id,
      users: await count(snapshot, 'SELECT count(*)::int AS n FROM user_entity WHERE realm_id = $1', [id]),
      clients: await count(snapshot, 'SELECT count(*)::int AS n FROM client WHERE realm_id = $1', [id]),
      onlineSessions: of(sessions, '0'),
      offlineSessions: of(sessions, '1'),
      onlineClientSessions: of(clientSessions, '0'),
      offlineClientSessions: of(clientSessions, '1'),
      keyProviders: await count(snapshot, 'SELECT count(*)::int AS n FROM component WHERE realm_id = $1 AND provider_type = $2', [id, KEY_PROVIDER_TYPE]),
    };
    counts.push(realmCounts);
    const add = (code: string, severity: Finding['severity'], message: string) => findings.push({ code, severity, realm: name, message });

    const federated = await count(snapshot, 'SELECT count(*)::int AS n FROM user_entity WHERE realm_id = $1 AND federation_link IS NOT NULL', [id]);
    const storageProviders = await count(snapshot, 'SELECT count(*)::int AS n FROM component WHERE realm_id = $1 AND provider_type = $2', [id, USER_STORAGE_TYPE]);
    if (federated > 0 || storageProviders > 0) {
      add('user-federation', 'blocker', `${storageProviders} user federation provider(s) and ${federated} federated user(s): holdfast has no user federation, so those users (and their sessions) are not carried`);
    }
    const unknownUsers = await count(snapshot, 'SELECT count(*)::int AS n FROM offline_user_session s WHERE s.realm_id = $1 AND NOT EXISTS (SELECT 1 FROM user_entity u WHERE u.id = s.user_id)', [id]);
    if (unknownUsers > 0) add('sessions-without-local-user', 'blocker', `${unknownUsers} session(s) belong to users that are not in USER_ENTITY (federated or lightweight users): they are not carried`);
    const external = await count(
      snapshot,
      `SELECT count(*)::int AS n FROM offline_client_session cs JOIN offline_user_session us ON us.user_session_id = cs.user_session_id AND us.offline_flag = cs.offline_flag WHERE us.realm_id = $1 AND cs.external_client_id <> 'local'`,
      [id],
    );
    if (external > 0) add('external-clients', 'blocker', `${external} client session(s) of clients from a client storage provider: those clients are not in the database, their tokens stop working`);
    const vault = await count(snapshot, "SELECT count(*)::int AS n FROM client WHERE realm_id = $1 AND secret LIKE '${vault.%'", [id]);
    if (vault > 0) add('vault-secrets', 'blocker', `${vault} client secret(s) are vault references (\${vault.…}): set the real secrets in holdfast, or those confidential clients cannot authenticate to refresh`);
    const keystore = await count(
      snapshot,
      `SELECT count(*)::int AS n FROM component c WHERE c.realm_id = $1 AND c.provider_type = $2 AND c.provider_id = 'java-keystore' AND NOT EXISTS (SELECT 1 FROM component_config cc WHERE cc.component_id = c.id AND cc.name = 'enabled' AND cc.value = 'false')`,
      [id, KEY_PROVIDER_TYPE],
    );
    if (keystore > 0) add('java-keystore-keys', 'blocker', `${keystore} java-keystore key provider(s): their keys are in a keystore file, not in the database; tokens signed with them stop verifying unless the keys are imported by hand`);
    const unknownProviders = await snapshot.query(
      `SELECT DISTINCT provider_id FROM component WHERE realm_id = $1 AND provider_type = $2 AND provider_id NOT IN ('rsa-generated', 'rsa', 'rsa-enc-generated', 'ecdsa-generated', 'eddsa-generated', 'hmac-generated', 'aes-generated', 'java-keystore')`,
      [id, KEY_PROVIDER_TYPE],
    );
    if (unknownProviders.length > 0) add('unknown-key-providers', 'blocker', `key provider(s) ${unknownProviders.map((r) => r.provider_id).join(', ')} are not known to holdfast`);
    const hs256 = await count(
      snapshot,
      `SELECT count(*)::int AS n FROM component c JOIN component_config cc ON cc.component_id = c.id WHERE c.realm_id = $1 AND c.provider_id = 'hmac-generated' AND cc.name = 'algorithm' AND cc.value <> 'HS512'`,
      [id],
    );
    if (hs256 > 0) add('legacy-hmac-keys', 'risk', `${hs256} HMAC key(s) not HS512 (legacy HS256 era): imported as they are, so old offline tokens signed with them still verify`);
    const bound = await snapshot.query(
      `SELECT name, count(*)::int AS n FROM client_attributes WHERE client_id IN (SELECT id FROM client WHERE realm_id = $1) AND name IN ('dpop.bound.access.tokens', 'tls.client.certificate.bound.access.tokens') AND value = 'true' GROUP BY name`,
      [id],
    );
    for (const row of bound) add('sender-constrained-tokens', 'risk', `${row.n} client(s) with ${row.name}: their refresh tokens are bound (cnf) and must be presented with the same DPoP key or certificate`);
    const frontendUrl = (await snapshot.query(`SELECT value FROM realm_attribute WHERE realm_id = $1 AND name = 'frontendUrl' AND value <> ''`, [id]))[0]?.value;
    if (typeof frontendUrl === 'string') add('frontend-url', 'risk', `the realm's frontendUrl is ${frontendUrl}: holdfast must serve that URL, since tokens and cookies carry it as their issuer`);
  }

  const online = counts.reduce((sum, c) => sum + c.onlineSessions, 0);
  const offline = counts.reduce((sum, c) => sum + c.offlineSessions, 0);
  // With the feature off, online sessions live in Keycloak's caches only: nothing of them is in
  // the database, while offline sessions are. The database cannot say which; the absence of any
  // online session (not even the admin's in master) where offline ones exist is the tell.
  const anyOnline = await count(snapshot, "SELECT count(*)::int AS n FROM offline_user_session WHERE offline_flag = '0'", []);
  if (anyOnline === 0 && (offline > 0 || counts.some((c) => c.users > 0))) {
    findings.push({
      code: 'persistent-user-sessions-off',
      severity: 'blocker',
      message:
        "the database holds no online session at all: Keycloak probably runs with the persistent-user-sessions feature disabled, so its online sessions (browser SSO, online refresh tokens) live only in its caches and cannot be carried; offline sessions can",
    });
  }
  findings.push({
    code: 'same-url',
    severity: 'risk',
    message: "serve holdfast at Keycloak's exact base URL and context path (e.g. --http-relative-path /auth): refresh tokens and cookies are checked against the issuer, and cookies are scoped to host and path",
  });
  findings.push({
    code: 'stop-keycloak-first',
    severity: 'risk',
    message: 'stop Keycloak gracefully before the migration: it may defer session writes while it runs, logins in progress and codes issued in the last seconds are lost by design, and brute-force counters held in its caches start over',
  });

  const blockers = findings.filter((f) => f.severity === 'blocker');
  const total = online + offline;
  let verdict: Preflight['verdict'];
  let verdictReason: string;
  if (counts.length === 0) {
    verdict = 'not possible';
    verdictReason = 'no realm selected';
  } else if (blockers.length === 0) {
    verdict = 'zero-logout possible';
    verdictReason = `all ${total} session(s) can be carried`;
  } else if (blockers.some((f) => f.code === 'unknown-key-providers')) {
    verdict = 'not possible';
    verdictReason = 'keys of an unknown provider cannot be carried';
  } else {
    verdict = 'possible with these losses';
    verdictReason = blockers.map((f) => (f.realm ? `${f.realm}: ${f.code}` : f.code)).join(', ');
  }
  return { keycloak, realms: counts, findings, verdict, verdictReason };
}
