/**
 * Keycloak's ClientScopeRepresentation: the admin API's and realm files' view of a client scope,
 * the checks Keycloak makes on one (ClientScopeResource: name characters, protocol, dynamic-scope
 * attributes), and how a representation creates or updates a scope. Protocol mappers are checked
 * as protocol-mapper.ts does; they change through their own endpoints, never through an update.
 */
import { newId } from '../../crypto/index.ts';
import { AdminError, adminBadRequest } from '../../errors/index.ts';
import type { Client, ClientScope, RealmModel } from '../../realm/index.ts';
import { OIDC_PROTOCOL, clientScopeByName, defaultScopesForNewClient } from '../../realm/index.ts';
import { field, index, list, object, record, string, ShapeError, type Check, type Checked } from '../json-shape.ts';
import { newProtocolMappers, protocolMapperRepresentation, refuseMapperChanges } from './protocol-mapper.ts';

/** An attribute set to null in an update removes it (Keycloak's updateClientScope). */
const attributeValue: Check<string | null> = (value, path) => (value === null ? null : string(value, path));

export const clientScopeRepresentation = object({
  id: string,
  name: string,
  description: string,
  protocol: string,
  attributes: record(attributeValue),
  protocolMappers: list(protocolMapperRepresentation),
});
export type ClientScopeRepresentation = Checked<typeof clientScopeRepresentation>;

/** Keycloak's scopeNamePattern: printable ASCII without space, `"` or `\`, as the `scope` parameter allows. */
const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_NAME = 255;
/** The protocols Keycloak 26 accepts for a client scope (oid4vc only behind a disabled feature). */
const PROTOCOLS = [OIDC_PROTOCOL, 'saml'];

/** A failed check, as the admin API answers it (`errorMessage`) or a realm file reports it (path). */
export type ScopeProblem = (message: string, path: string) => Error;
export const adminProblem: ScopeProblem = (message) => adminBadRequest(message);
export const fileProblem: ScopeProblem = (message, path) => new ShapeError(path, message);

export function checkScopeName(name: string | undefined, problem: ScopeProblem, path = 'name'): string {
  if (name === undefined || !SCOPE_NAME.test(name) || name.length > MAX_NAME) throw problem(`Unexpected name "${name ?? 'null'}" for ClientScope`, path);
  return name;
}

function checkProtocol(protocol: string | undefined, problem: ScopeProblem, path: string): string {
  if (protocol === undefined || !PROTOCOLS.includes(protocol)) throw problem('Unexpected protocol', path);
  return protocol;
}

/** Dynamic scopes are a preview feature Keycloak 26 ships disabled; its attributes are refused as there. */
function checkDynamicScope(attributes: Record<string, string>, problem: ScopeProblem, path: string): void {
  const dynamic = attributes['is.dynamic.scope'];
  if (dynamic !== undefined && dynamic.toLowerCase() === 'true') throw problem(`Unexpected value "${dynamic}" for attribute is.dynamic.scope in ClientScope`, field(path, 'is.dynamic.scope'));
  const regexp = attributes['dynamic.scope.regexp'];
  if (regexp !== undefined && regexp !== '') throw problem(`Unexpected value "${regexp}" for attribute dynamic.scope.regexp in ClientScope`, field(path, 'dynamic.scope.regexp'));
}

function presentAttributes(attributes: Record<string, string | null> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes ?? {}).filter((entry): entry is [string, string] => entry[1] !== null));
}

/** A new scope from a representation (admin create or realm file), checked as Keycloak checks one. */
export function newClientScope(realmId: string, rep: ClientScopeRepresentation, position: number, problem: ScopeProblem, conflict: ScopeProblem, path = ''): ClientScope {
  const name = checkScopeName(rep.name, problem, field(path, 'name'));
  const protocol = checkProtocol(rep.protocol, problem, field(path, 'protocol'));
  const attributes = presentAttributes(rep.attributes);
  checkDynamicScope(attributes, problem, field(path, 'attributes'));
  return {
    id: rep.id ?? newId(),
    realmId,
    name,
    description: rep.description,
    protocol,
    attributes,
    protocolMappers: newProtocolMappers(rep.protocolMappers ?? [], protocol, [], problem, conflict, field(path, 'protocolMappers')),
    scopeMappings: [],
    position,
  };
}

/**
 * Applies an update as Keycloak's updateClientScope does: absent fields stay, attributes merge
 * (null removes one). Mappers may be sent back as they are; they change through their endpoints.
 */
export function updatedClientScope(scope: ClientScope, rep: ClientScopeRepresentation): ClientScope {
  const name = rep.name === undefined ? scope.name : checkScopeName(rep.name, adminProblem);
  const protocol = rep.protocol === undefined ? scope.protocol : checkProtocol(rep.protocol, adminProblem, 'protocol');
  const attributes = { ...scope.attributes };
  for (const [key, value] of Object.entries(rep.attributes ?? {})) {
    if (value === null) delete attributes[key];
    else attributes[key] = value;
  }
  checkDynamicScope(attributes, adminProblem, 'attributes');
  refuseMapperChanges(rep.protocolMappers, scope.protocolMappers);
  return { ...scope, name, protocol, attributes, description: rep.description ?? scope.description };
}

export function toClientScopeRepresentation(scope: ClientScope): Record<string, unknown> {
  return {
    id: scope.id,
    name: scope.name,
    ...(scope.description !== undefined ? { description: scope.description } : {}),
    protocol: scope.protocol,
    attributes: scope.attributes,
    ...(scope.protocolMappers.length > 0 ? { protocolMappers: scope.protocolMappers } : {}),
  };
}

/** What Keycloak lists for default and optional scopes (realm's and client's): id, name, protocol. */
export function toScopeReference(scope: ClientScope): Record<string, unknown> {
  return { id: scope.id, name: scope.name, protocol: scope.protocol };
}

/**
 * A client's scope lists must name scopes of the realm that speak the client's protocol, each in
 * one list only; Keycloak would skip the others without a word. Names the client had before
 * (`before`, on an update) pass: a scope deleted since must not block an unrelated change.
 */
export function checkClientScopeNames(model: RealmModel, client: Client, problem: ScopeProblem, path = '', before?: Client): void {
  const seen = new Set<string>();
  const had = new Set(before ? [...before.defaultClientScopes, ...before.optionalClientScopes] : []);
  const protocol = client.protocol || OIDC_PROTOCOL;
  for (const list of ['defaultClientScopes', 'optionalClientScopes'] as const) {
    client[list].forEach((name, i) => {
      const at = index(field(path, list), i);
      if (seen.has(name)) throw problem(`Client scope '${name}' is listed twice`, at);
      seen.add(name);
      if (had.has(name)) return;
      const scope = clientScopeByName(model, name);
      if (!scope) throw problem(`Referenced client scope '${name}' doesn't exist`, at);
      if (scope.protocol !== protocol) throw problem(`Client scope '${name}' is for protocol '${scope.protocol}', the client uses '${protocol}'`, at);
    });
  }
}

/**
 * A new client's scopes as Keycloak gives them: the realm's defaults for its protocol when the
 * representation names none, otherwise exactly the lists it names (a list left out is empty).
 */
export function withNewClientScopes(model: RealmModel, client: Client, rep: Partial<Pick<Client, 'defaultClientScopes' | 'optionalClientScopes'>>): Client {
  if (rep.defaultClientScopes === undefined && rep.optionalClientScopes === undefined) return { ...client, ...defaultScopesForNewClient(model, client.protocol || OIDC_PROTOCOL) };
  return { ...client, defaultClientScopes: rep.defaultClientScopes ?? [], optionalClientScopes: rep.optionalClientScopes ?? [] };
}

/** 409 in the admin API: a name taken in the realm. */
export const scopeExists = (name: string): AdminError => new AdminError(409, { errorMessage: `Client Scope ${name} already exists` });
