/**
 * The settings of a Keycloak identity provider that holdfast keeps but does not act on, so that a
 * realm file or an admin call that sets one is told (DESIGN rule 9): `refused` where acting
 * differently changes who gets in (a post-login flow that would ask for a one-time code, a claim
 * filter, a custom first broker login) or where no login through the provider could work (a
 * client authentication or a signature key holdfast does not have); `ignored` where nothing is
 * weakened. A value equal to what Keycloak writes for a new provider is never listed.
 */
import { PROVIDER_KINDS } from './provider-catalog.ts';

export interface UnhonouredSetting {
  /** The field, relative to the provider (`postBrokerLoginFlowAlias`, `config.filteredByClaim`). */
  field: string;
  verdict: 'refused' | 'ignored';
  reason: string;
}

export interface ProviderSettings {
  providerId?: string;
  firstBrokerLoginFlowAlias?: string;
  postBrokerLoginFlowAlias?: string;
  organizationId?: string;
  config?: Record<string, string>;
}

const BUILT_IN_FIRST_BROKER_LOGIN = 'first broker login';
export const UPSTREAM_CLIENT_AUTH_METHODS = new Set(['client_secret_post', 'client_secret_basic', 'private_key_jwt']);

/** Config switches holdfast does not act on, with the value a new Keycloak provider has. */
const IGNORED_CONFIG: Record<string, { defaults: string[]; reason: string }> = {
  forwardParameters: { defaults: [''], reason: 'parameters of the application are not forwarded to the upstream' },
  passMaxAge: { defaults: ['false'], reason: 'max_age is not passed to the upstream' },
  uiLocales: { defaults: ['false'], reason: 'ui_locales is not passed to the upstream' },
  acceptsPromptNoneForwardFromClient: { defaults: ['false'], reason: 'prompt=none is not forwarded: such requests answer login_required' },
  allowedClockSkew: { defaults: ['', '0'], reason: 'holdfast allows 10 seconds of clock skew on upstream tokens' },
  disableNonce: { defaults: ['false'], reason: 'holdfast always sends a nonce and checks it' },
};

export function unhonouredSettings(provider: ProviderSettings): UnhonouredSetting[] {
  const found: UnhonouredSetting[] = [];
  const refuse = (field: string, reason: string) => found.push({ field, verdict: 'refused', reason });
  const config = provider.config ?? {};
  if (provider.postBrokerLoginFlowAlias) refuse('postBrokerLoginFlowAlias', `the post login flow '${provider.postBrokerLoginFlowAlias}' is not run after logins through this provider: what it asks for would be skipped`);
  if (provider.firstBrokerLoginFlowAlias && provider.firstBrokerLoginFlowAlias !== BUILT_IN_FIRST_BROKER_LOGIN) {
    refuse('firstBrokerLoginFlowAlias', `holdfast runs its built-in first broker login, not '${provider.firstBrokerLoginFlowAlias}': users that flow would stop or not create would get in`);
  }
  if (provider.organizationId) found.push({ field: 'organizationId', verdict: 'ignored', reason: 'organizations are not supported: the provider is not tied to one' });
  if (config.filteredByClaim === 'true') refuse('config.filteredByClaim', `the essential claim filter (${config.claimFilterName ?? '?'}) is not applied: upstream users without the claim would log in`);
  if (config.clientAuthMethod && !UPSTREAM_CLIENT_AUTH_METHODS.has(config.clientAuthMethod)) refuse('config.clientAuthMethod', `client authentication '${config.clientAuthMethod}' is not supported: no login through this provider could get a token`);
  if (PROVIDER_KINDS.get(provider.providerId ?? '')?.openIdConnect && config.validateSignature === 'true' && config.useJwksUrl === 'false') {
    refuse('config.useJwksUrl', 'signatures are checked against the upstream JWKS URL only, not a configured key: no login through this provider would pass');
  }
  for (const [key, rule] of Object.entries(IGNORED_CONFIG)) {
    const value = config[key];
    if (value !== undefined && !rule.defaults.includes(value)) found.push({ field: `config.${key}`, verdict: 'ignored', reason: rule.reason });
  }
  return found;
}
