/**
 * A realm file's scope mappings, as Keycloak exports them: `scopeMappings` (realm roles in the
 * scope of a client or client scope) and `clientScopeMappings` (client roles, keyed by the
 * role's client), each entry naming its `client` or `clientScope` and its `roles` by name. A
 * file with neither gets what a new Keycloak realm has: the `offline_access` role in the scope of
 * the `offline_access` client scope. A name that does not resolve is refused with its JSON path.
 */
import type { Client, ClientScope, Role } from '../../realm/index.ts';
import { field, index, list, object, record, string, stringList, ShapeError, type Checked } from '../json-shape.ts';

const scopeMappingEntry = object({ client: string, clientScope: string, roles: stringList });
export const scopeMappingsShape = list(scopeMappingEntry);
export const clientScopeMappingsShape = record(list(scopeMappingEntry));
type Entry = Checked<typeof scopeMappingEntry>;

const OFFLINE_ACCESS = 'offline_access';

/** Sets the planned clients' and scopes' `scopeMappings`; `roleOf(clientId, name)` finds a planned role. */
export function planScopeMappings(
  rep: { scopeMappings?: Entry[]; clientScopeMappings?: Record<string, Entry[]> },
  clients: Map<string, Client>,
  scopes: ClientScope[],
  roleOf: (clientId: string | undefined, name: string) => Role | undefined,
): void {
  const scopesByName = new Map(scopes.map((s) => [s.name, s]));
  // Built-in scopes come with the blueprint's role ids; the file's roles are the ones that count.
  for (const scope of scopes) scope.scopeMappings = [];
  if (rep.scopeMappings === undefined && rep.clientScopeMappings === undefined) {
    const scope = scopesByName.get(OFFLINE_ACCESS);
    const role = roleOf(undefined, OFFLINE_ACCESS);
    if (scope && role) scope.scopeMappings = [role.id];
    return;
  }
  const add = (entry: Entry, roleClientId: string | undefined, path: string) => {
    const owner =
      entry.client !== undefined ? clients.get(entry.client) : entry.clientScope !== undefined ? scopesByName.get(entry.clientScope) : undefined;
    if (!owner) {
      const what = entry.client !== undefined ? `unknown client '${entry.client}'` : entry.clientScope !== undefined ? `unknown client scope '${entry.clientScope}'` : 'names neither client nor clientScope';
      throw new ShapeError(entry.client !== undefined ? field(path, 'client') : entry.clientScope !== undefined ? field(path, 'clientScope') : path, what);
    }
    (entry.roles ?? []).forEach((name, i) => {
      const role = roleOf(roleClientId, name);
      if (!role) throw new ShapeError(index(field(path, 'roles'), i), roleClientId === undefined ? `unknown realm role '${name}'` : `unknown role '${name}' of client '${roleClientId}'`);
      if (!owner.scopeMappings.includes(role.id)) owner.scopeMappings = [...owner.scopeMappings, role.id];
    });
  };
  (rep.scopeMappings ?? []).forEach((entry, i) => add(entry, undefined, index('scopeMappings', i)));
  for (const [clientId, entries] of Object.entries(rep.clientScopeMappings ?? {})) {
    if (!clients.has(clientId)) throw new ShapeError(field('clientScopeMappings', clientId), `unknown client '${clientId}'`);
    entries.forEach((entry, i) => add(entry, clientId, index(field('clientScopeMappings', clientId), i)));
  }
}

/** The file's `scopeMappings` and `clientScopeMappings` for what is stored, in a stable order. */
export function exportScopeMappings(clients: Client[], scopes: ClientScope[], rolesById: Map<string, Role>, clientsById: Map<string, Client>): {
  scopeMappings: Entry[];
  clientScopeMappings: Record<string, Entry[]>;
} {
  const scopeMappings: Entry[] = [];
  const clientScopeMappings: Record<string, Entry[]> = {};
  const owners: Array<[{ client: string } | { clientScope: string }, string[]]> = [
    ...clients.map((c): [{ client: string }, string[]] => [{ client: c.clientId }, c.scopeMappings]),
    ...scopes.map((s): [{ clientScope: string }, string[]] => [{ clientScope: s.name }, s.scopeMappings]),
  ];
  for (const [owner, roleIds] of owners) {
    const roles = roleIds.flatMap((id) => rolesById.get(id) ?? []);
    const realmRoles = roles.filter((r) => r.clientId === undefined).map((r) => r.name).sort();
    if (realmRoles.length > 0) scopeMappings.push({ ...owner, roles: realmRoles });
    const byClient = new Map<string, string[]>();
    for (const role of roles) {
      const clientId = role.clientId === undefined ? undefined : clientsById.get(role.clientId)?.clientId;
      if (clientId !== undefined) byClient.set(clientId, [...(byClient.get(clientId) ?? []), role.name]);
    }
    for (const [clientId, names] of [...byClient].sort((a, b) => (a[0] < b[0] ? -1 : 1))) (clientScopeMappings[clientId] ??= []).push({ ...owner, roles: names.sort() });
  }
  return { scopeMappings, clientScopeMappings };
}
