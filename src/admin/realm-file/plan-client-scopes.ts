/**
 * A realm file's client scopes, checked in memory before anything is written, as Keycloak imports
 * them: a file without `clientScopes` gets the built-in scopes (and, unless it names them, their
 * realm default/optional types); a file with `clientScopes` gets exactly those, with the realm
 * defaults its `defaultDefaultClientScopes` and `defaultOptionalClientScopes` name. A name either
 * list gives must be a scope of the file.
 */
import type { ClientScope, RealmDefaultType } from '../../realm/index.ts';
import { index } from '../json-shape.ts';
import { fileProblem, newClientScope, type ClientScopeRepresentation } from '../representations/client-scope.ts';
import { fileConflict, ImportConflict } from './import-conflict.ts';
import type { RealmFileRepresentation } from './realm-file-shape.ts';

export function planClientScopes(rep: RealmFileRepresentation, realmId: string, builtIn: ClientScope[]): ClientScope[] {
  const scopes = rep.clientScopes === undefined ? builtIn.map((s) => ({ ...s, realmId })) : fileScopes(rep.clientScopes, realmId);
  if (rep.defaultDefaultClientScopes === undefined && rep.defaultOptionalClientScopes === undefined) return scopes;
  const byName = new Map(scopes.map((s) => [s.name, s]));
  const types = new Map<string, RealmDefaultType>();
  for (const [list, type] of [
    ['defaultDefaultClientScopes', 'default'],
    ['defaultOptionalClientScopes', 'optional'],
  ] as const) {
    (rep[list] ?? []).forEach((name, i) => {
      if (!byName.has(name)) throw fileProblem(`unknown client scope '${name}'`, index(list, i));
      if (types.has(name)) throw new ImportConflict(index(list, i), `client scope '${name}' is named twice among the realm's default and optional scopes`);
      types.set(name, type);
    });
  }
  return scopes.map((s) => ({ ...s, realmDefault: types.get(s.name) }));
}

function fileScopes(reps: ClientScopeRepresentation[], realmId: string): ClientScope[] {
  const names = new Set<string>();
  const ids = new Set<string>();
  return reps.map((scopeRep, i) => {
    const path = index('clientScopes', i);
    const scope = newClientScope(realmId, scopeRep, i, fileProblem, fileConflict, path);
    if (names.has(scope.name)) throw new ImportConflict(`${path}.name`, `duplicate client scope '${scope.name}'`);
    if (ids.has(scope.id)) throw new ImportConflict(`${path}.id`, `duplicate client scope id '${scope.id}'`);
    names.add(scope.name);
    ids.add(scope.id);
    return scope;
  });
}
