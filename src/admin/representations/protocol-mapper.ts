/**
 * Keycloak's ProtocolMapperRepresentation on a client or a client scope: its shape, the checks a
 * new or changed mapper passes (a name unique within its owner, a type holdfast applies, the
 * owner's protocol), and who may create one: a mapper that puts roles into tokens (hardcoded
 * role, role name) needs the caller to be able to grant those roles directly (role-grants.ts).
 * Keycloak accepts mapper types it has but holdfast does not apply, and SAML mappers on OIDC
 * scopes; they would add nothing to tokens without a word, so holdfast refuses them.
 */
import { isDeepStrictEqual } from 'node:util';
import { newId } from '../../crypto/index.ts';
import { AdminError, adminBadRequest } from '../../errors/index.ts';
import { clientScopeByName, mapperType, OIDC_PROTOCOL, supportedMapperType, type Client, type LoadedRealm, type ProtocolMapper, type RealmModel } from '../../realm/index.ts';
import type { AdminIdentity } from '../admin-auth.ts';
import { forbidden } from '../admin-auth.ts';
import { boolean, field, index, object, record, string, type Check, type Checked } from '../json-shape.ts';
import { mayGrant } from '../role-grants.ts';

export const protocolMapperRepresentation = object({
  id: string,
  name: string,
  protocol: string,
  protocolMapper: string,
  consentRequired: boolean,
  consentText: string,
  config: record(string as Check<string>),
});
export type ProtocolMapperRepresentation = Checked<typeof protocolMapperRepresentation>;

/** A failed check, as the admin API answers it or a realm file reports it (with its JSON path). */
export type MapperProblem = (message: string, path: string) => Error;

const MAX_NAME = 255;

/** A mapper from a representation, for an owner (client or scope) speaking `protocol`. */
export function newProtocolMapper(rep: ProtocolMapperRepresentation, protocol: string, problem: MapperProblem, path = ''): ProtocolMapper {
  if (rep.name === undefined || rep.name.trim() === '' || rep.name.length > MAX_NAME) throw problem('Protocol mapper name is required (at most 255 characters)', field(path, 'name'));
  const type = rep.protocolMapper;
  if (type === undefined || type === '') throw problem('Protocol mapper type (protocolMapper) is required', field(path, 'protocolMapper'));
  const mapperProtocol = rep.protocol ?? protocol;
  if (mapperProtocol !== protocol) throw problem(`Protocol mapper '${rep.name}' is for protocol '${mapperProtocol}', its owner uses '${protocol}'`, field(path, 'protocol'));
  // holdfast serves no SAML: mappers of SAML scopes are kept as given, never applied.
  if (protocol === OIDC_PROTOCOL && !supportedMapperType(type)) throw problem(`Protocol mapper type '${type}' is not supported`, field(path, 'protocolMapper'));
  return {
    id: rep.id ?? newId(),
    name: rep.name,
    protocol: mapperProtocol,
    protocolMapper: type,
    consentRequired: rep.consentRequired ?? false,
    ...(rep.consentText !== undefined ? { consentText: rep.consentText } : {}),
    config: rep.config ?? {},
  };
}

/** Several new mappers (a representation's list, add-models): names unique among them and with `existing`. */
export function newProtocolMappers(reps: ProtocolMapperRepresentation[], protocol: string, existing: ProtocolMapper[], problem: MapperProblem, conflict: MapperProblem, path = ''): ProtocolMapper[] {
  const names = new Set(existing.map((m) => m.name));
  const ids = new Set(existing.map((m) => m.id));
  return reps.map((rep, i) => {
    const at = path === '' && reps.length === 1 ? '' : index(path, i);
    const mapper = newProtocolMapper(rep, protocol, problem, at);
    if (names.has(mapper.name)) throw conflict('Protocol mapper exists with same name', field(at, 'name'));
    if (ids.has(mapper.id)) throw conflict(`Protocol mapper exists with same id: ${mapper.id}`, field(at, 'id'));
    names.add(mapper.name);
    ids.add(mapper.id);
    return mapper;
  });
}

/** An update of one mapper by PUT: same id and type; name, config and consent change. */
export function updatedProtocolMapper(mapper: ProtocolMapper, rep: ProtocolMapperRepresentation, siblings: ProtocolMapper[]): ProtocolMapper {
  if (rep.id !== undefined && rep.id !== mapper.id) throw adminBadRequest('id: does not match the mapper of the path', 'id');
  if (rep.protocolMapper !== undefined && rep.protocolMapper !== mapper.protocolMapper) throw adminBadRequest('protocolMapper: the type of a mapper cannot change; create a new mapper', 'protocolMapper');
  const next = newProtocolMapper({ ...mapper, ...rep, id: mapper.id }, mapper.protocol, (message, path) => adminBadRequest(message, path));
  if (siblings.some((m) => m.id !== mapper.id && m.name === next.name)) throw new AdminError(409, { errorMessage: 'Protocol mapper exists with same name' });
  return next;
}

/** Roles these mappers would put into tokens. */
function grantedRoles(model: RealmModel, mappers: ProtocolMapper[]) {
  return mappers.flatMap((m) => mapperType(m.protocolMapper)?.grantedRoles?.(m.config, model) ?? []);
}

/** A mapper must not put into tokens a role the caller could not map to a user directly. */
export function requireMayGrantMappers(identity: AdminIdentity, realm: LoadedRealm, mappers: ProtocolMapper[]): void {
  if (grantedRoles(realm, mappers).some((role) => !mayGrant(identity, realm, role))) throw forbidden();
}

/** Scopes a client now names that it did not before bring their mappers' roles into its tokens. */
export function requireMayGrantLinkedScopes(identity: AdminIdentity, realm: LoadedRealm, client: Client, before?: Client): void {
  const had = new Set(before ? [...before.defaultClientScopes, ...before.optionalClientScopes] : []);
  const added = [...client.defaultClientScopes, ...client.optionalClientScopes].filter((name) => !had.has(name));
  requireMayGrantMappers(identity, realm, added.flatMap((name) => clientScopeByName(realm, name)?.protocolMappers ?? []));
}

/**
 * Keycloak ignores `protocolMappers` in a client or scope update; holdfast accepts them sent back
 * unchanged (as the admin console does) and refuses a change, naming the endpoints that make it.
 */
export function refuseMapperChanges(given: ProtocolMapperRepresentation[] | undefined, current: ProtocolMapper[]): void {
  if (given === undefined) return;
  const normal = (list: Array<Partial<ProtocolMapper>>) =>
    list.map((m) => ({ id: m.id, name: m.name, protocolMapper: m.protocolMapper, config: m.config ?? {} })).sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
  if (!isDeepStrictEqual(normal(given), normal(current))) {
    throw adminBadRequest('protocolMappers: an update does not change protocol mappers; use the protocol-mappers/models endpoints', 'protocolMappers');
  }
}
