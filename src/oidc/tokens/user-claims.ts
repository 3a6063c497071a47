/**
 * Claims about the user that scopes release: `profile`, `email` and `roles`, in Keycloak's names.
 * Shared by access tokens, ID tokens, userinfo and introspection.
 */
import type { Client } from '../../realm/types.ts';
import type { UserView } from '../../realm/realm-service.ts';
import type { JwtClaims } from '../../crypto/index.ts';

export function profileClaims(view: UserView, scopes: Set<string>): JwtClaims {
  const { user } = view;
  const claims: JwtClaims = {};
  if (scopes.has('email')) {
    claims.email_verified = user.emailVerified;
  }
  if (scopes.has('profile')) {
    const name = [user.firstName, user.lastName].filter((p) => p).join(' ');
    if (name) claims.name = name;
    claims.preferred_username = user.username;
    if (user.firstName) claims.given_name = user.firstName;
    if (user.lastName) claims.family_name = user.lastName;
  }
  if (scopes.has('email') && user.email) claims.email = user.email;
  return claims;
}

/** `realm_access`, `resource_access` and the audience they imply (every other client the user has roles of). */
export function roleClaims(view: UserView, client: Client, scopes: Set<string>): { claims: JwtClaims; audience: string[] } {
  if (!scopes.has('roles')) return { claims: {}, audience: [] };
  const claims: JwtClaims = {};
  if (view.roles.realmRoles.length > 0) claims.realm_access = { roles: view.roles.realmRoles };
  const resourceAccess: Record<string, { roles: string[] }> = {};
  const audience: string[] = [];
  for (const [clientId, roles] of Object.entries(view.roles.clientRoles)) {
    resourceAccess[clientId] = { roles };
    if (clientId !== client.clientId) audience.push(clientId);
  }
  if (Object.keys(resourceAccess).length > 0) claims.resource_access = resourceAccess;
  return { claims, audience: audience.sort() };
}
