/**
 * Where a provider's upstream lives and how holdfast talks to it: the endpoints (from its config,
 * or a social preset's fixed paths below its configurable base URL), the scope asked for, the
 * claim names of its profile answer, and the plain client secret for the token request.
 */
import { open } from '../crypto/index.ts';
import type { IdentityProvider } from '../realm/index.ts';
import { PROVIDER_KINDS, type SocialPreset } from './provider-catalog.ts';

export interface Upstream {
  alias: string;
  openIdConnect: boolean;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl?: string;
  jwksUrl?: string;
  issuer?: string;
  scope: string;
  claims: SocialPreset['claims'];
  clientId: string;
  clientSecret?: string;
  /** client_secret_post (Keycloak's default), client_secret_basic or private_key_jwt. */
  clientAuthMethod: string;
}

const OIDC_CLAIMS: SocialPreset['claims'] = { id: 'sub', username: 'preferred_username', email: 'email', firstName: 'given_name', lastName: 'family_name' };

export class UpstreamMisconfigured extends Error {}

/** The upstream client secret in plain text (it is stored sealed with the realm's key). */
export function upstreamClientSecret(provider: IdentityProvider, sealKey: Buffer): string | undefined {
  return provider.clientSecretSealed ? open(sealKey, provider.clientSecretSealed) : undefined;
}

export function upstreamOf(provider: IdentityProvider, sealKey: Buffer): Upstream {
  const kind = PROVIDER_KINDS.get(provider.providerId);
  if (!kind) throw new UpstreamMisconfigured(`unknown provider kind ${provider.providerId}`);
  const config = provider.config;
  const preset = kind.preset;
  const root = preset ? (config[preset.baseUrlKey] || preset.defaultBaseUrl).replace(/\/+$/, '') : '';
  const base = preset?.tenant ? `${root}/${encodeURIComponent(config[preset.tenant.key] || preset.tenant.default)}` : root;
  const authorizationUrl = preset ? `${base}${preset.authorizationPath}` : config.authorizationUrl;
  const tokenUrl = preset ? `${base}${preset.tokenPath}` : config.tokenUrl;
  if (!authorizationUrl || !tokenUrl) throw new UpstreamMisconfigured(`identity provider ${provider.alias} has no authorization or token URL`);
  if (!config.clientId) throw new UpstreamMisconfigured(`identity provider ${provider.alias} has no clientId`);
  const userInfoUrl = preset ? `${base}${preset.userInfoPath}` : config.userInfoUrl || undefined;
  const defaultScope = preset?.defaultScope ?? 'openid';
  // Keycloak's oidc provider always asks for `openid`, then what defaultScope adds.
  const configured = (config.defaultScope ?? '').trim();
  const scope = kind.openIdConnect && !preset ? [...new Set(['openid', ...configured.split(/\s+/).filter((s) => s !== '')])].join(' ') : configured || defaultScope;
  return {
    alias: provider.alias,
    openIdConnect: kind.openIdConnect,
    authorizationUrl,
    tokenUrl,
    userInfoUrl,
    jwksUrl: config.useJwksUrl !== 'false' ? config.jwksUrl || undefined : undefined,
    issuer: config.issuer || undefined,
    scope,
    claims: preset?.claims ?? OIDC_CLAIMS,
    clientId: config.clientId,
    clientSecret: upstreamClientSecret(provider, sealKey),
    clientAuthMethod: config.clientAuthMethod || 'client_secret_post',
  };
}
