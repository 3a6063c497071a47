/**
 * An access token as Keycloak 26 recomputes it for introspection, and for the services that judge
 * a token by its full claims (the account API): the token's own claims (expiry, issuer, session,
 * scope) and the claims of the mappers with `introspection.token.claim`, for the user as they are
 * now. What a lightweight access token leaves out is shown; what a mapper keeps out of
 * introspection is not.
 */
import { claimPlanOf, type LoadedRealm } from '../../realm/index.ts';
import type { AccessCheck } from './access-validation.ts';
import { audienceClaim, mappedClaims, mapperInput, orderedClaims, ownClaimsOf, sessionNotes } from './mapped-claims.ts';

export function introspectedClaims(realm: LoadedRealm, check: Extract<AccessCheck, { valid: true }>): Record<string, unknown> {
  const client = realm.clientsByClientId.get(check.claims.azp)!;
  const plan = claimPlanOf(realm, client, (check.claims.scope ?? '').split(' '));
  const input = mapperInput(realm, client, plan, check.user, check.claims.acr ?? '0', sessionNotes(check.session?.authTime, undefined, check.session?.notes));
  const mapped = mappedClaims(plan, 'introspection', input);
  return orderedClaims({ ...ownClaimsOf(check.claims), ...audienceClaim(mapped.audience) }, mapped.claims);
}
