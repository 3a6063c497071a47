/**
 * Role mappings as realm files give them, for users and groups alike: `realmRoles` by name and
 * `clientRoles` by clientId and name, resolved to role ids or refused with the JSON path at fault.
 */
import type { RealmModel } from '../../realm/index.ts';
import { field, index, ShapeError } from '../json-shape.ts';
import type { RoleIndex } from '../representations/role.ts';

export interface RoleNames {
  realmRoles?: string[];
  clientRoles?: Record<string, string[]>;
}

export function resolveRoleNames(rep: RoleNames, model: RealmModel, roleIndex: RoleIndex, path: string): string[] {
  const ids: string[] = [];
  (rep.realmRoles ?? []).forEach((name, j) => {
    const role = roleIndex.realm.get(name);
    if (!role) throw new ShapeError(index(field(path, 'realmRoles'), j), `unknown realm role '${name}'`);
    ids.push(role.id);
  });
  for (const [clientId, names] of Object.entries(rep.clientRoles ?? {})) {
    const client = model.clientsByClientId.get(clientId);
    const clientPath = field(field(path, 'clientRoles'), clientId);
    if (!client) throw new ShapeError(clientPath, `unknown client '${clientId}'`);
    const byName = roleIndex.client.get(client.id);
    names.forEach((name, j) => {
      const role = byName?.get(name);
      if (!role) throw new ShapeError(index(clientPath, j), `unknown role '${name}' of client '${clientId}'`);
      ids.push(role.id);
    });
  }
  return ids;
}
