/**
 * Everything of one Keycloak realm the import needs, read from the snapshot table by table with
 * one query each (realm-scoped through the owning realm, client or user), so a realm of 100,000
 * users takes a few dozen queries rather than one per user.
 */
import type { KeycloakSnapshot, Row } from './keycloak-snapshot.ts';

export interface RealmRows {
  realm: Row;
  attributes: Row[];
  defaultGroups: Row[];
  clients: Row[];
  clientAttributes: Row[];
  redirectUris: Row[];
  webOrigins: Row[];
  protocolMappers: Row[];
  protocolMapperConfig: Row[];
  clientScopes: Row[];
  clientScopeAttributes: Row[];
  clientScopeClients: Row[];
  defaultClientScopes: Row[];
  clientScopeRoles: Row[];
  scopeMappings: Row[];
  roles: Row[];
  composites: Row[];
  roleAttributes: Row[];
  groups: Row[];
  groupAttributes: Row[];
  groupRoles: Row[];
  memberships: Row[];
  users: Row[];
  userAttributes: Row[];
  credentials: Row[];
  userRoles: Row[];
  requiredActions: Row[];
  consents: Row[];
  consentScopes: Row[];
  components: Row[];
  componentConfig: Row[];
}

const OF_CLIENT = 'client_id IN (SELECT id FROM client WHERE realm_id = $1)';
const OF_USER = 'user_id IN (SELECT id FROM user_entity WHERE realm_id = $1)';
const OF_SCOPE = 'scope_id IN (SELECT id FROM client_scope WHERE realm_id = $1)';
const OF_ROLE = 'IN (SELECT id FROM keycloak_role WHERE realm_id = $1)';

export async function readRealmRows(snapshot: KeycloakSnapshot, realm: Row): Promise<RealmRows> {
  const id = realm.id as string;
  const q = (sql: string) => snapshot.query(sql, [id]);
  return {
    realm,
    attributes: await q('SELECT name, value FROM realm_attribute WHERE realm_id = $1'),
    defaultGroups: await q('SELECT group_id FROM realm_default_groups WHERE realm_id = $1'),
    clients: await q('SELECT * FROM client WHERE realm_id = $1 ORDER BY client_id'),
    clientAttributes: await q(`SELECT client_id, name, value FROM client_attributes WHERE ${OF_CLIENT}`),
    redirectUris: await q(`SELECT client_id, value FROM redirect_uris WHERE ${OF_CLIENT} ORDER BY value`),
    webOrigins: await q(`SELECT client_id, value FROM web_origins WHERE ${OF_CLIENT} ORDER BY value`),
    protocolMappers: await q(`SELECT * FROM protocol_mapper WHERE ${OF_CLIENT} OR ${OF_SCOPE.replace('scope_id', 'client_scope_id')} ORDER BY name`),
    protocolMapperConfig: await q(
      `SELECT protocol_mapper_id, name, value FROM protocol_mapper_config WHERE protocol_mapper_id IN (SELECT id FROM protocol_mapper WHERE ${OF_CLIENT} OR ${OF_SCOPE.replace('scope_id', 'client_scope_id')})`,
    ),
    clientScopes: await q('SELECT * FROM client_scope WHERE realm_id = $1 ORDER BY name'),
    clientScopeAttributes: await q(`SELECT scope_id, name, value FROM client_scope_attributes WHERE ${OF_SCOPE}`),
    clientScopeClients: await q(`SELECT client_id, scope_id, default_scope FROM client_scope_client WHERE ${OF_CLIENT}`),
    defaultClientScopes: await q('SELECT scope_id, default_scope FROM default_client_scope WHERE realm_id = $1'),
    clientScopeRoles: await q(`SELECT scope_id, role_id FROM client_scope_role_mapping WHERE ${OF_SCOPE}`),
    scopeMappings: await q(`SELECT client_id, role_id FROM scope_mapping WHERE ${OF_CLIENT}`),
    roles: await q('SELECT * FROM keycloak_role WHERE realm_id = $1 ORDER BY name'),
    composites: await q(`SELECT composite, child_role FROM composite_role WHERE composite ${OF_ROLE}`),
    roleAttributes: await q(`SELECT role_id, name, value FROM role_attribute WHERE role_id ${OF_ROLE}`),
    groups: await q('SELECT * FROM keycloak_group WHERE realm_id = $1 ORDER BY name'),
    groupAttributes: await q('SELECT group_id, name, value FROM group_attribute WHERE group_id IN (SELECT id FROM keycloak_group WHERE realm_id = $1)'),
    groupRoles: await q('SELECT group_id, role_id FROM group_role_mapping WHERE group_id IN (SELECT id FROM keycloak_group WHERE realm_id = $1)'),
    memberships: await q(`SELECT group_id, user_id FROM user_group_membership WHERE ${OF_USER}`),
    users: await q('SELECT * FROM user_entity WHERE realm_id = $1 ORDER BY username'),
    userAttributes: await q(`SELECT user_id, name, value, long_value FROM user_attribute WHERE ${OF_USER}`),
    credentials: await q(`SELECT id, user_id, type, user_label, secret_data, credential_data, priority, created_date FROM credential WHERE ${OF_USER} ORDER BY priority`),
    userRoles: await q(`SELECT user_id, role_id FROM user_role_mapping WHERE ${OF_USER}`),
    requiredActions: await q(`SELECT user_id, required_action FROM user_required_action WHERE ${OF_USER}`),
    consents: await q(`SELECT id, user_id, client_id, created_date, last_updated_date FROM user_consent WHERE ${OF_USER}`),
    consentScopes: await q(`SELECT user_consent_id, scope_id FROM user_consent_client_scope WHERE user_consent_id IN (SELECT id FROM user_consent WHERE ${OF_USER})`),
    components: await q('SELECT * FROM component WHERE realm_id = $1'),
    componentConfig: await q('SELECT component_id, name, value FROM component_config WHERE component_id IN (SELECT id FROM component WHERE realm_id = $1)'),
  };
}

/** Rows grouped by one column's value. */
export function groupBy(rows: Row[], column: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = String(row[column]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(row);
  }
  return groups;
}

/** name → value of rows with `name`/`value` columns. */
export function nameValues(rows: Row[] | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const row of rows ?? []) if (row.value !== null && row.value !== undefined) values[String(row.name)] = String(row.value);
  return values;
}

/** name → values of rows with `name`/`value` columns (multi-valued, as Keycloak's attributes). */
export function multiValues(rows: Row[] | undefined, valueOf: (row: Row) => unknown = (row) => row.value): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  for (const row of rows ?? []) {
    const value = valueOf(row);
    if (value === null || value === undefined) continue;
    (values[String(row.name)] ??= []).push(String(value));
  }
  return values;
}
