/**
 * Google's `hostedDomain` as Keycloak's google provider honours it: the login is limited to
 * accounts of the listed Workspace domains (comma-separated, or `*` for any Workspace account).
 * The authorization request carries `hd` (the domain when there is one, `*` for a list, so
 * Google's account chooser offers the right accounts), and the ID token's `hd` claim must be one
 * of them; an ID token without `hd` (a consumer account) is refused. Without the setting, any
 * Google account may log in.
 */
import type { IdentityProvider } from '../realm/index.ts';
import { BROKER_TEXTS, upstreamFailure } from './broker-failure.ts';

function hostedDomains(provider: IdentityProvider): string[] | undefined {
  if (provider.providerId !== 'google') return undefined;
  const domains = (provider.config.hostedDomain ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '');
  return domains.length > 0 ? domains : undefined;
}

/** The `hd` parameter of the authorization request, when the provider limits the domain. */
export function hostedDomainParameter(provider: IdentityProvider): string | undefined {
  const domains = hostedDomains(provider);
  if (!domains) return undefined;
  return domains.length === 1 ? domains[0] : '*';
}

/** Refuses an ID token whose `hd` claim is not one of the provider's hosted domains. */
export function checkHostedDomain(provider: IdentityProvider, idTokenClaims: Record<string, unknown>): void {
  const domains = hostedDomains(provider);
  if (!domains) return;
  const hd = idTokenClaims.hd;
  if (typeof hd !== 'string' || hd === '') throw upstreamFailure(BROKER_TEXTS.unexpected, 'identity_provider_error', 'ID token has no hd claim but the provider has a hostedDomain');
  if (!domains.includes('*') && !domains.includes(hd)) throw upstreamFailure(BROKER_TEXTS.unexpected, 'identity_provider_error', `ID token hd ${hd.slice(0, 64)} is not a hosted domain of the provider`);
}
