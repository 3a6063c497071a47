/**
 * The two `ui-ext` role listings Keycloak's admin console uses on a user's or group's Role
 * mapping tab, same paths and JSON: `available-roles` (client roles not mapped to the holder
 * directly) and `effective-roles` (client roles the holder has through direct mappings, groups
 * and composites). Rows are `{id, role, client, clientId, description}` — `client` is the
 * clientId and `clientId` the client's UUID, as Keycloak names them — sorted by client then
 * role; `search` matches role name or clientId without case; `first`/`max` page (10 by default).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { effectiveRoles, type LoadedRealm, type Role } from '../../realm/index.ts';
import { rolesOf } from '../admin-lookups.ts';
import { adminScope, paging, queryString } from '../admin-request.ts';
import { groupHolder, userHolder } from './role-mappings.ts';

const DEFAULT_MAX = 10;

interface ClientRoleRow {
  id: string;
  role: string;
  client: string;
  clientId: string;
  description?: string;
}

function clientRoleRows(realm: LoadedRealm, keep: (role: Role) => boolean, request: FastifyRequest): ClientRoleRow[] {
  const search = queryString(request, 'search')?.trim().toLowerCase() ?? '';
  const { first, max } = paging(request, DEFAULT_MAX);
  const rows: ClientRoleRow[] = [];
  const clients = [...realm.clientsById.values()].sort((a, b) => a.clientId.localeCompare(b.clientId));
  for (const client of clients) {
    const clientMatches = client.clientId.toLowerCase().includes(search);
    const roles = rolesOf(realm, client.id)
      .filter((r) => keep(r) && (clientMatches || r.name.toLowerCase().includes(search)))
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const role of roles) rows.push({ id: role.id, role: role.name, client: client.clientId, clientId: client.id, ...(role.description !== undefined ? { description: role.description } : {}) });
  }
  return rows.slice(first, first + max);
}

export async function uiExtRoleRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const [kind, lookup] of [
    ['users', userHolder],
    ['groups', groupHolder],
  ] as const) {
    app.get(`/admin/realms/:realm/ui-ext/available-roles/${kind}/:id`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-users');
      const mapped = new Set(await (await lookup(ctx, realm, (request.params as { id: string }).id)).mapped());
      return clientRoleRows(realm, (role) => !mapped.has(role.id), request);
    });

    app.get(`/admin/realms/:realm/ui-ext/effective-roles/${kind}/:id`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-users');
      const holder = await lookup(ctx, realm, (request.params as { id: string }).id);
      const { clientRoles } = effectiveRoles(realm, await holder.reached());
      return clientRoleRows(realm, (role) => clientRoles[realm.clientsById.get(role.clientId!)!.clientId]?.includes(role.name) === true, request);
    });
  }
}
