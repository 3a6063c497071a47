/**
 * Keycloak's RoleRepresentation: what the admin API returns for realm and client roles, what it
 * accepts to create or update one, and how composites are named in realm files (by role name,
 * `{realm: [...], client: {clientId: [...]}}`) rather than by id.
 */
import { roleNames, type RealmModel, type Role } from '../../realm/index.ts';
import { boolean, multiValuedMap, object, record, string, stringList, type Checked } from '../json-shape.ts';

export const roleRepresentation = object({
  id: string,
  name: string,
  description: string,
  composite: boolean,
  composites: object({ realm: stringList, client: record(stringList) }),
  clientRole: boolean,
  containerId: string,
  attributes: multiValuedMap,
});
export type RoleRepresentation = Checked<typeof roleRepresentation>;

export function toRoleRepresentation(role: Role, brief = false): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    ...(role.description !== undefined ? { description: role.description } : {}),
    composite: role.composites.length > 0,
    clientRole: role.clientId !== undefined,
    containerId: role.clientId ?? role.realmId,
    ...(brief ? {} : { attributes: role.attributes }),
  };
}

/** Roles by name: realm roles, and client roles per client UUID. */
export interface RoleIndex {
  realm: Map<string, Role>;
  client: Map<string, Map<string, Role>>;
}

export function indexRoles(roles: Iterable<Role>): RoleIndex {
  const index: RoleIndex = { realm: new Map(), client: new Map() };
  for (const role of roles) {
    if (role.clientId === undefined) {
      index.realm.set(role.name, role);
      continue;
    }
    let byName = index.client.get(role.clientId);
    if (!byName) index.client.set(role.clientId, (byName = new Map()));
    byName.set(role.name, role);
  }
  return index;
}

/** The export form of a role: its representation plus composites by name. */
export function toRoleExport(model: RealmModel, role: Role): Record<string, unknown> {
  const composites = roleNames(model, role.composites);
  const hasClient = Object.keys(composites.client).length > 0;
  return {
    ...toRoleRepresentation(role),
    ...(role.composites.length > 0
      ? { composites: { ...(composites.realm.length > 0 ? { realm: composites.realm } : {}), ...(hasClient ? { client: composites.client } : {}) } }
      : {}),
  };
}
