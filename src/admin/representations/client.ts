/**
 * Keycloak's ClientRepresentation: the admin API's and realm files' view of a client, and how a
 * representation creates or updates one. Updates are partial, as in Keycloak: a field that is
 * absent keeps its value, and an attribute set to "" or null is removed. Secrets are stored as a
 * hash plus a sealed copy; the representation shows the plaintext only to client managers.
 */
import { matchesHash, open } from '../../crypto/index.ts';
import { clientDefaults, newClientSecret, withSecret, type Client } from '../../realm/index.ts';
import { boolean, integer, list, object, record, string, stringList, type Check, type Checked } from '../json-shape.ts';
import { protocolMapperRepresentation } from './protocol-mapper.ts';

/** Attribute values may be null in a request: that removes the attribute. */
const attributeValue: Check<string> = (value, path) => (value === null ? '' : string(value, path));

export const clientRepresentation = object({
  id: string,
  clientId: string,
  name: string,
  description: string,
  enabled: boolean,
  publicClient: boolean,
  bearerOnly: boolean,
  secret: string,
  clientAuthenticatorType: string,
  redirectUris: stringList,
  webOrigins: stringList,
  rootUrl: string,
  baseUrl: string,
  adminUrl: string,
  standardFlowEnabled: boolean,
  implicitFlowEnabled: boolean,
  directAccessGrantsEnabled: boolean,
  serviceAccountsEnabled: boolean,
  consentRequired: boolean,
  fullScopeAllowed: boolean,
  frontchannelLogout: boolean,
  protocol: string,
  attributes: record(attributeValue),
  defaultClientScopes: stringList,
  optionalClientScopes: stringList,
  protocolMappers: list(protocolMapperRepresentation),
  notBefore: integer,
  surrogateAuthRequired: boolean,
  alwaysDisplayInConsole: boolean,
  nodeReRegistrationTimeout: integer,
  authorizationServicesEnabled: boolean,
});
export type ClientRepresentation = Checked<typeof clientRepresentation>;

/** Whether a client authenticates with a secret (so has one to show and check). */
export const isConfidential = (client: Pick<Client, 'publicClient'>): boolean => !client.publicClient;

export function clientSecret(client: Client, sealKey: Buffer): string | undefined {
  return client.secretSealed ? open(sealKey, client.secretSealed) : undefined;
}

export function toClientRepresentation(client: Client, sealKey: Buffer, showSecret: boolean): Record<string, unknown> {
  const secret = showSecret && isConfidential(client) ? clientSecret(client, sealKey) : undefined;
  return {
    id: client.id,
    clientId: client.clientId,
    ...(client.name !== undefined ? { name: client.name } : {}),
    ...(client.description !== undefined ? { description: client.description } : {}),
    ...(client.rootUrl !== undefined ? { rootUrl: client.rootUrl } : {}),
    ...(client.adminUrl !== undefined ? { adminUrl: client.adminUrl } : {}),
    ...(client.baseUrl !== undefined ? { baseUrl: client.baseUrl } : {}),
    surrogateAuthRequired: false,
    enabled: client.enabled,
    alwaysDisplayInConsole: false,
    clientAuthenticatorType: 'client-secret',
    ...(secret !== undefined ? { secret } : {}),
    redirectUris: client.redirectUris,
    webOrigins: client.webOrigins,
    notBefore: client.notBefore,
    bearerOnly: client.bearerOnly,
    consentRequired: client.consentRequired,
    standardFlowEnabled: client.standardFlowEnabled,
    implicitFlowEnabled: client.implicitFlowEnabled,
    directAccessGrantsEnabled: client.directAccessGrantsEnabled,
    serviceAccountsEnabled: client.serviceAccountsEnabled,
    publicClient: client.publicClient,
    frontchannelLogout: client.frontchannelLogout,
    protocol: client.protocol,
    attributes: client.attributes,
    fullScopeAllowed: client.fullScopeAllowed,
    nodeReRegistrationTimeout: -1,
    ...(client.protocolMappers.length > 0 ? { protocolMappers: client.protocolMappers } : {}),
    defaultClientScopes: client.defaultClientScopes,
    optionalClientScopes: client.optionalClientScopes,
  };
}

const COPIED = [
  'clientId',
  'name',
  'description',
  'enabled',
  'publicClient',
  'bearerOnly',
  'redirectUris',
  'webOrigins',
  'rootUrl',
  'baseUrl',
  'adminUrl',
  'standardFlowEnabled',
  'implicitFlowEnabled',
  'directAccessGrantsEnabled',
  'serviceAccountsEnabled',
  'consentRequired',
  'fullScopeAllowed',
  'frontchannelLogout',
  'protocol',
  'defaultClientScopes',
  'optionalClientScopes',
  'notBefore',
] as const satisfies ReadonlyArray<keyof Client & keyof ClientRepresentation>;

/**
 * Applies a representation to a client (or to Keycloak's defaults for a new one). A confidential
 * client always ends up with a secret: the one given, the one it had, or a fresh one.
 */
export function applyClientRepresentation(base: Client, rep: ClientRepresentation, sealKey: Buffer, stampAt?: number): Client {
  const next: Client = { ...base, attributes: { ...base.attributes } };
  for (const name of COPIED) {
    if (rep[name] !== undefined) (next as unknown as Record<string, unknown>)[name] = rep[name];
  }
  for (const [name, value] of Object.entries(rep.attributes ?? {})) {
    if (value.trim() === '') delete next.attributes[name];
    else next.attributes[name] = value;
  }
  if (!isConfidential(next)) return next;
  const given = rep.secret !== undefined && rep.secret !== '' ? rep.secret : undefined;
  // Sending back the secret a GET showed is not a change of secret.
  if (next.secretHash && (given === undefined || matchesHash(given, next.secretHash))) return next;
  const secured = withSecret(next, given ?? newClientSecret(), sealKey);
  // Imports pass no time: a realm file is a copy of a client, not a new secret.
  return stampAt === undefined ? secured : stampSecret(secured, stampAt);
}

/** Keycloak records when a secret was set, in seconds, as the attribute `client.secret.creation.time`. */
export function stampSecret(client: Client, nowSeconds: number): Client {
  return { ...client, attributes: { ...client.attributes, 'client.secret.creation.time': String(nowSeconds) } };
}

/** A new client from a representation, with Keycloak's defaults for what it leaves out. */
export function newClientFromRepresentation(realmId: string, id: string, clientId: string, rep: ClientRepresentation, sealKey: Buffer, stampAt?: number): Client {
  return applyClientRepresentation({ ...clientDefaults(), id, realmId, clientId }, rep, sealKey, stampAt);
}
