/**
 * Claims from protocol mappers, put together with the claims holdfast itself sets. The token's
 * own claims (expiry, issuer, type, session, scope, …) are never a mapper's to change, and `sub`
 * can only ever be the user: a mapper that writes them (a hardcoded claim named `iss`) is
 * overruled, so managing a client's mappers cannot forge who a token is for. Claims come out in
 * the order Keycloak's serialisation gives them (its token classes' fields first), so that tokens
 * look the same side by side.
 */
import type { JwtClaims } from '../../crypto/index.ts';
import type { Client, ClaimPlan, LoadedRealm, MapperInput, MapperOutput, PlanKind, UserView } from '../../realm/index.ts';

const OWN_CLAIMS = new Set(['exp', 'iat', 'jti', 'iss', 'aud', 'typ', 'azp', 'nonce', 'sid', 'scope', 'at_hash', 'session_state', 'cnf']);
const ORDER = [
  ...['exp', 'iat', 'auth_time', 'jti', 'iss', 'aud', 'sub', 'typ', 'azp', 'nonce', 'sid', 'at_hash', 'acr', 'allowed-origins', 'realm_access', 'resource_access', 'cnf', 'scope'],
  ...['email_verified', 'name', 'preferred_username', 'given_name', 'family_name', 'email'],
];
const ORDERED = new Set(ORDER);
/** Claims of a service account's token that are not a mapper's (no `service_account` scope here). */
const SERVICE_ACCOUNT_CLAIMS = ['clientHost', 'clientAddress', 'client_id'];

/** What the mappers of one token request see. Built once per request and shared by its tokens. */
export function mapperInput(realm: LoadedRealm, client: Client, plan: ClaimPlan, user: UserView, acr: string, notes: Record<string, string>): MapperInput {
  return { realm, client, user: user.user, groupIds: user.groupIds, roles: plan.tokenRoles(user.roles), notes, acr };
}

/**
 * Keycloak's user session notes that mappers read: `AUTH_TIME`, a service account's notes, and
 * the notes stored with the session (a brokered login's `identity_provider`, which Keycloak's
 * realms put in tokens with a User Session Note mapper).
 */
export function sessionNotes(authTime: number | undefined, serviceAccount?: Record<string, string>, stored?: Record<string, string>): Record<string, string> {
  // Every token response builds this: plain assignments, not spreads of conditional literals,
  // which cost several times more on the refresh path (issue 18's profile).
  const notes: Record<string, string> = {};
  if (stored !== undefined) for (const name of Object.keys(stored)) notes[name] = stored[name];
  if (authTime !== undefined) notes.AUTH_TIME = String(authTime);
  if (serviceAccount !== undefined) for (const name of Object.keys(serviceAccount)) notes[name] = serviceAccount[name];
  return notes;
}

/** A single `aud` is a string, several an array, none absent (as Keycloak writes it). */
export function audienceClaim(audience: string[]): JwtClaims {
  return audience.length === 1 ? { aud: audience[0] } : audience.length > 1 ? { aud: audience } : {};
}

/** Runs a plan's mappers of one kind; returns the claims that may go into the token, and `aud`. */
export function mappedClaims(plan: ClaimPlan, kind: PlanKind, input: MapperInput): MapperOutput {
  const out = plan.claims(kind, input);
  // Checked before deleting: a delete would turn the claims object into a slow dictionary.
  for (const name of Object.keys(out.claims)) if (OWN_CLAIMS.has(name)) delete out.claims[name];
  if (out.claims.sub !== undefined) out.claims.sub = input.user.id;
  return out;
}

/** Userinfo: `sub` and the claims of the mappers with `userinfo.token.claim`. */
export function userinfoClaims(plan: ClaimPlan, input: MapperInput): JwtClaims {
  return orderedClaims({ sub: input.user.id }, mappedClaims(plan, 'userinfo', input).claims);
}

/** The claims of an issued token that no mapper made: what introspection keeps of the token as it is. */
export function ownClaimsOf(token: JwtClaims): JwtClaims {
  return Object.fromEntries(Object.entries(token).filter(([name]) => (OWN_CLAIMS.has(name) && name !== 'aud') || SERVICE_ACCOUNT_CLAIMS.includes(name)));
}

/** `own` and `mapped` in Keycloak's order: known claims first, then the others as mappers added them. */
export function orderedClaims(own: JwtClaims, mapped: JwtClaims): JwtClaims {
  const out: JwtClaims = {};
  for (const name of ORDER) {
    const value = own[name] !== undefined ? own[name] : mapped[name];
    if (value !== undefined) out[name] = value;
  }
  for (const name in mapped) if (!ORDERED.has(name)) out[name] = own[name] !== undefined ? own[name] : mapped[name];
  for (const name in own) if (!ORDERED.has(name) && own[name] !== undefined && !(name in mapped)) out[name] = own[name];
  return out;
}
