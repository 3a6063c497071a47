/**
 * Who the upstream says logged in (Keycloak's BrokeredIdentityContext): the upstream account's
 * id and profile, read from the ID token and user info with the provider's claim names, plus the
 * upstream session and the token response. It waits in the login's tab (bounded) while the
 * first broker login asks the user something.
 */
import type { SocialPreset } from './provider-catalog.ts';

export interface BrokeredIdentity {
  alias: string;
  /** The upstream account's id (`sub`, or the preset's id claim). */
  id: string;
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  /** The upstream session (`sid`), when it named one. */
  sessionId?: string;
  /** The ID token's and user info's claims, for the mappers (dropped when larger than MAX_CLAIMS_BYTES). */
  claims?: Record<string, unknown>;
  /** The upstream's ID token, kept for its logout (upstream-logout.ts) when the provider has a logout URL. */
  idToken?: string;
  /** The upstream token response, sealed (stored-token.ts), kept on the link when the provider has `storeToken`. */
  token?: string;
}

/** Largest profile value taken from an upstream; longer ones are dropped (the review page asks again). */
const MAX_VALUE_CHARS = 255;
/** The claims wait in the login's tab with the identity; beyond this they are not kept (mappers then see none). */
const MAX_CLAIMS_BYTES = 16 * 1024;

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_VALUE_CHARS ? value.trim() : undefined;
}

/** The identity the claims describe, or undefined when they name no account. */
export function identityFromClaims(alias: string, claims: Record<string, unknown>, names: SocialPreset['claims']): BrokeredIdentity | undefined {
  const id = text(claims[names.id]);
  if (id === undefined) return undefined;
  const email = text(claims[names.email]);
  let firstName = names.firstName ? text(claims[names.firstName]) : undefined;
  let lastName = names.lastName ? text(claims[names.lastName]) : undefined;
  const fullName = names.name ? text(claims[names.name]) : undefined;
  if (fullName !== undefined && firstName === undefined && lastName === undefined) {
    const space = fullName.lastIndexOf(' ');
    firstName = space < 0 ? fullName : fullName.slice(0, space);
    lastName = space < 0 ? undefined : fullName.slice(space + 1);
  }
  // Keycloak's username: the upstream's, else its email, else its id; lower case like every username.
  const username = (text(claims[names.username]) ?? email ?? id).toLowerCase();
  const sessionId = text(claims.sid) ?? text(claims.session_state);
  const kept = Buffer.byteLength(JSON.stringify(claims)) <= MAX_CLAIMS_BYTES ? { claims } : {};
  return { alias, id, username, email: email?.toLowerCase(), firstName, lastName, ...(sessionId ? { sessionId } : {}), ...kept };
}
