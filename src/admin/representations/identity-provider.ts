/**
 * Keycloak's IdentityProviderRepresentation and IdentityProviderMapperRepresentation: their
 * shapes, the checks a new or changed one passes (a known provider kind, a URL-safe alias, URLs
 * that are URLs and, where the realm requires TLS, https; a known mapper type and sync mode), and
 * the answers. The client secret is sealed with the realm's AES key on the way in and answered
 * masked, as Keycloak does; the mask sent back on update keeps the stored secret.
 */
import { newId, seal } from '../../crypto/index.ts';
import { MAPPER_SYNC_MODES, MAPPER_TYPES_BY_ID, PROVIDER_KINDS, PROVIDER_SYNC_MODES, providerUses, unhonouredSettings, upstreamClientSecret } from '../../broker/index.ts';
import type { IdentityProvider, IdentityProviderMapper, RealmSettings } from '../../realm/index.ts';
import { boolean, field, object, record, string, type Check, type Checked } from '../json-shape.ts';
import { ShapeError } from '../json-shape.ts';

/** Keycloak's config values are strings; JSON numbers and booleans are taken as their text. */
const configValue: Check<string> = (value, path) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ShapeError(path, 'expected a string');
};

export const identityProviderRepresentation = object({
  alias: string,
  displayName: string,
  internalId: string,
  providerId: string,
  enabled: boolean,
  updateProfileFirstLoginMode: string,
  trustEmail: boolean,
  storeToken: boolean,
  addReadTokenRoleOnCreate: boolean,
  authenticateByDefault: boolean,
  linkOnly: boolean,
  hideOnLogin: boolean,
  firstBrokerLoginFlowAlias: string,
  postBrokerLoginFlowAlias: string,
  organizationId: string,
  config: record(configValue),
  types: (v: unknown) => (v === undefined ? undefined : v),
});
export type IdentityProviderRepresentation = Checked<typeof identityProviderRepresentation>;

export const identityProviderMapperRepresentation = object({
  id: string,
  name: string,
  identityProviderAlias: string,
  identityProviderMapper: string,
  config: record(configValue),
});
export type IdentityProviderMapperRepresentation = Checked<typeof identityProviderMapperRepresentation>;

/** What the admin API answers in place of a secret. */
export const SECRET_MASK = '**********';
const CLIENT_SECRET = 'clientSecret';
/** Config keys that hold URLs, with the names Keycloak's messages give them. */
const URL_KEYS: Record<string, string> = {
  authorizationUrl: 'authorization_url',
  tokenUrl: 'token_url',
  jwksUrl: 'jwks_url',
  logoutUrl: 'logout_url',
  userInfoUrl: 'userinfo_url',
  tokenIntrospectionUrl: 'token_introspection_url',
  metadataDescriptorUrl: 'metadata_descriptor_url',
};
const ALIAS = /^[A-Za-z0-9._~-]{1,255}$/;
const LOOPBACK_OR_PRIVATE = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+)$/;

/** A failed check, as the admin API answers it or a realm file reports it (with its JSON path). */
export type ProviderProblem = (message: string, path: string) => Error;

function checkUrls(config: Record<string, string>, sslRequired: RealmSettings['sslRequired'], problem: ProviderProblem, path: string): void {
  for (const [key, label] of Object.entries(URL_KEYS)) {
    const value = config[key];
    if (value === undefined || value === '') continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw problem(`The url [${label}] is malformed`, field(field(path, 'config'), key));
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw problem(`The url [${label}] is malformed`, field(field(path, 'config'), key));
    const tlsNeeded = sslRequired === 'all' || (sslRequired === 'external' && !LOOPBACK_OR_PRIVATE.test(url.hostname));
    if (url.protocol === 'http:' && tlsNeeded) throw problem(`The url [${label}] requires secure connections`, field(field(path, 'config'), key));
  }
}

function checkSyncMode(value: string | undefined, allowed: readonly string[], problem: ProviderProblem, path: string): void {
  if (value !== undefined && !allowed.includes(value)) throw problem(`Invalid syncMode '${value}' (one of ${allowed.join(', ')})`, field(field(path, 'config'), 'syncMode'));
}

/**
 * The provider a representation describes, for a realm with `sslRequired`; `existing` is the
 * stored provider on update (its id and, behind the mask, its secret carry over).
 */
export function newIdentityProvider(
  rep: IdentityProviderRepresentation,
  realmId: string,
  sslRequired: RealmSettings['sslRequired'],
  sealKey: Buffer,
  problem: ProviderProblem,
  path = '',
  existing?: IdentityProvider,
  /** The admin API's: a setting holdfast would not act on that lets more users in is refused (a realm file lists it instead). */
  options: { refuseUnhonoured?: boolean } = {},
): IdentityProvider {
  const alias = rep.alias ?? existing?.alias;
  if (alias === undefined || alias === '') throw problem('Identity provider alias is required', field(path, 'alias'));
  if (!ALIAS.test(alias)) throw problem('Invalid identity provider alias: letters, digits and . _ ~ - only (at most 255)', field(path, 'alias'));
  const providerId = rep.providerId ?? existing?.providerId;
  if (providerId === undefined || !PROVIDER_KINDS.has(providerId)) throw problem(`Invalid identity provider id [${providerId ?? ''}]`, field(path, 'providerId'));
  const { [CLIENT_SECRET]: secret, ...config } = rep.config ?? {};
  checkUrls(config, sslRequired, problem, path);
  if (options.refuseUnhonoured) {
    const refused = unhonouredSettings({ ...rep, providerId, config }).find((s) => s.verdict === 'refused');
    if (refused) throw problem(`Not supported: ${refused.reason}`, field(path, refused.field));
  }
  checkSyncMode(config.syncMode, PROVIDER_SYNC_MODES, problem, path);
  const clientSecretSealed = secret === undefined || secret === '' ? undefined : secret === SECRET_MASK && existing ? existing.clientSecretSealed : seal(sealKey, secret);
  return {
    internalId: existing?.internalId ?? rep.internalId ?? newId(),
    realmId,
    alias,
    providerId,
    displayName: rep.displayName,
    enabled: rep.enabled ?? true,
    trustEmail: rep.trustEmail,
    storeToken: rep.storeToken,
    addReadTokenRoleOnCreate: rep.addReadTokenRoleOnCreate,
    authenticateByDefault: rep.authenticateByDefault,
    linkOnly: rep.linkOnly,
    hideOnLogin: rep.hideOnLogin,
    firstBrokerLoginFlowAlias: rep.firstBrokerLoginFlowAlias,
    postBrokerLoginFlowAlias: rep.postBrokerLoginFlowAlias,
    config,
    clientSecretSealed,
  };
}

/** The provider's upstream client secret in plain text, for the token request. */
export function clientSecretOf(provider: IdentityProvider, sealKey: Buffer): string | undefined {
  return upstreamClientSecret(provider, sealKey);
}

/** The admin API's answer: the secret masked; `brief` as `briefRepresentation=true` lists them. */
export function toIdentityProviderRepresentation(provider: IdentityProvider, brief = false): Record<string, unknown> {
  const optional = {
    trustEmail: provider.trustEmail,
    storeToken: provider.storeToken,
    addReadTokenRoleOnCreate: provider.addReadTokenRoleOnCreate,
    authenticateByDefault: provider.authenticateByDefault,
    linkOnly: provider.linkOnly,
    hideOnLogin: provider.hideOnLogin,
    firstBrokerLoginFlowAlias: provider.firstBrokerLoginFlowAlias,
    postBrokerLoginFlowAlias: provider.postBrokerLoginFlowAlias,
  };
  const config = provider.clientSecretSealed ? { ...provider.config, [CLIENT_SECRET]: SECRET_MASK } : provider.config;
  return {
    alias: provider.alias,
    ...(provider.displayName === undefined ? {} : { displayName: provider.displayName }),
    internalId: provider.internalId,
    providerId: provider.providerId,
    enabled: provider.enabled,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    config: brief ? {} : config,
    ...(brief ? {} : { types: providerUses(PROVIDER_KINDS.get(provider.providerId)!) }),
  };
}

/** The realm file's form: as the admin API answers it, with the secret in plain text (Keycloak exports it). */
export function toExportedIdentityProvider(provider: IdentityProvider, sealKey: Buffer): Record<string, unknown> {
  const { types: _types, ...rep } = toIdentityProviderRepresentation(provider);
  const secret = clientSecretOf(provider, sealKey);
  return { ...rep, config: secret === undefined ? provider.config : { ...provider.config, [CLIENT_SECRET]: secret } };
}

/** A mapper from its representation, for the provider `alias` of the realm. */
export function newIdentityProviderMapper(rep: IdentityProviderMapperRepresentation, realmId: string, alias: string, problem: ProviderProblem, path = '', existing?: IdentityProviderMapper): IdentityProviderMapper {
  const name = rep.name ?? existing?.name;
  if (name === undefined || name.trim() === '' || name.length > 255) throw problem('Mapper name is required (at most 255 characters)', field(path, 'name'));
  const type = rep.identityProviderMapper ?? existing?.identityProviderMapper;
  if (type === undefined || !MAPPER_TYPES_BY_ID.has(type)) throw problem(`Unknown identity provider mapper type '${type ?? ''}'`, field(path, 'identityProviderMapper'));
  const config = rep.config ?? existing?.config ?? {};
  checkSyncMode(config.syncMode, MAPPER_SYNC_MODES, problem, path);
  return { id: existing?.id ?? rep.id ?? newId(), realmId, identityProviderAlias: alias, name, identityProviderMapper: type, config };
}

export function toIdentityProviderMapperRepresentation(mapper: IdentityProviderMapper): Record<string, unknown> {
  return { id: mapper.id, name: mapper.name, identityProviderAlias: mapper.identityProviderAlias, identityProviderMapper: mapper.identityProviderMapper, config: mapper.config };
}
