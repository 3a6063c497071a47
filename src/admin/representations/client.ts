/**
 * Keycloak's ClientRepresentation: the admin API's and realm files' view of a client, and how a
 * representation creates or updates one. Updates are partial, as in Keycloak: a field that is
 * absent keeps its value, and an attribute set to "" or null is removed. Secrets are stored as a
 * hash plus a sealed copy; the representation shows the plaintext only to client managers.
 */
import { matchesHash, open, seal, sha256Hex } from '../../crypto/index.ts';
import { clientDefaults, newClientSecret, withSecret, type Client, type RotatedSecret } from '../../realm/index.ts';
import { boolean, integer, list, object, oneOf, record, ShapeError, string, stringList, type Check, type Checked } from '../json-shape.ts';
import { protocolMapperRepresentation } from './protocol-mapper.ts';

/** Where Keycloak keeps the previous secret of a rotation (in clear; holdfast hashes and seals it). */
const ROTATED = 'client.secret.rotated';
const ROTATED_CREATED = 'client.secret.rotated.creation.time';
const ROTATED_EXPIRES = 'client.secret.rotated.expiration.time';

/** Attribute values may be null in a request: that removes the attribute. */
const attributeValue: Check<string> = (value, path) => (value === null ? '' : string(value, path));

const SECONDS = /^\d{1,12}$/;

/** Client attributes; the times of a rotated secret must be seconds, since they decide whether it authenticates. */
const clientAttributes: Check<Record<string, string>> = (value, path) => {
  const attributes = record(attributeValue)(value, path);
  for (const name of [ROTATED_CREATED, ROTATED_EXPIRES]) {
    const time = attributes?.[name];
    if (time !== undefined && time !== '' && !SECONDS.test(time)) throw new ShapeError(`${path}.${name}`, 'expected a time in seconds');
  }
  return attributes;
};

export const clientRepresentation = object({
  id: string,
  clientId: string,
  name: string,
  description: string,
  enabled: boolean,
  publicClient: boolean,
  bearerOnly: boolean,
  secret: string,
  // client-x509 (mutual TLS) is not supported: refused rather than stored and ignored.
  clientAuthenticatorType: oneOf('client-secret', 'client-jwt', 'client-secret-jwt'),
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
  attributes: clientAttributes,
  defaultClientScopes: stringList,
  optionalClientScopes: stringList,
  protocolMappers: list(protocolMapperRepresentation),
  notBefore: integer,
  surrogateAuthRequired: boolean,
  alwaysDisplayInConsole: boolean,
  nodeReRegistrationTimeout: integer,
  authorizationServicesEnabled: boolean,
  registeredNodes: record(integer),
});
export type ClientRepresentation = Checked<typeof clientRepresentation>;

/**
 * How Keycloak's partial export writes a secret. Never a secret itself: a body or file carrying it
 * keeps the client's secret, or gets a fresh one.
 */
export const MASKED_SECRET = '**********';

/** Whether a client authenticates with a secret (so has one to show and check). */
export const isConfidential = (client: Pick<Client, 'publicClient'>): boolean => !client.publicClient;

export function clientSecret(client: Client, sealKey: Buffer): string | undefined {
  return client.secretSealed ? open(sealKey, client.secretSealed) : undefined;
}

/** The rotated secret as Keycloak's attributes, shown only where the secret itself is shown. */
function rotatedAttributes(client: Client, sealKey: Buffer): Record<string, string> {
  const rotated = client.rotatedSecret;
  if (!rotated) return {};
  return { [ROTATED]: open(sealKey, rotated.sealed), [ROTATED_CREATED]: String(rotated.createdAt), [ROTATED_EXPIRES]: String(rotated.expiresAt) };
}

/** The rotated secret a representation's attributes give, or undefined to keep the current one; null removes it. */
function givenRotatedSecret(attributes: Record<string, string>, sealKey: Buffer, nowSeconds: number): RotatedSecret | null | undefined {
  const secret = attributes[ROTATED];
  if (secret === undefined) return undefined;
  if (secret.trim() === '') return null;
  const seconds = (name: string, fallback: number) => (attributes[name] ? Number(attributes[name]) : fallback);
  // Without an expiration time Keycloak treats the rotated secret as expired.
  return { hash: sha256Hex(secret), sealed: seal(sealKey, secret), createdAt: seconds(ROTATED_CREATED, nowSeconds), expiresAt: seconds(ROTATED_EXPIRES, 0) };
}

export function toClientRepresentation(client: Client, sealKey: Buffer, showSecret: boolean): Record<string, unknown> {
  const secret = showSecret && isConfidential(client) ? clientSecret(client, sealKey) : undefined;
  const nodes = client.registeredNodes ?? {};
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
    clientAuthenticatorType: client.clientAuthenticatorType ?? 'client-secret',
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
    attributes: secret !== undefined ? { ...client.attributes, ...rotatedAttributes(client, sealKey) } : client.attributes,
    fullScopeAllowed: client.fullScopeAllowed,
    nodeReRegistrationTimeout: -1,
    ...(Object.keys(nodes).length > 0 ? { registeredNodes: nodes } : {}),
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
  'clientAuthenticatorType',
  'protocol',
  'defaultClientScopes',
  'optionalClientScopes',
  'notBefore',
  'registeredNodes',
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
  const rotated = givenRotatedSecret(rep.attributes ?? {}, sealKey, stampAt ?? 0);
  if (rotated !== undefined) next.rotatedSecret = rotated ?? undefined;
  for (const [name, value] of Object.entries(rep.attributes ?? {})) {
    if (name === ROTATED || name === ROTATED_CREATED || name === ROTATED_EXPIRES) continue;
    if (value.trim() === '') delete next.attributes[name];
    else next.attributes[name] = value;
  }
  if (!isConfidential(next)) return next;
  const given = rep.secret !== undefined && rep.secret !== '' && rep.secret !== MASKED_SECRET ? rep.secret : undefined;
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
