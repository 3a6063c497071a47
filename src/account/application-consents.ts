/**
 * The consents (stored grants) the account API lists and revokes, behind one small interface:
 * the login's consent screen stores them (src/consent, read through stored-consents.ts), and the
 * account API only needs to read a user's and remove one. `noConsents` answers that the user has
 * granted none (applications then come from sessions and offline sessions alone).
 */
import type { LoadedRealm } from '../realm/index.ts';

/** Keycloak's ConsentScopeRepresentation. */
export interface ConsentScope {
  id: string;
  name: string;
  displayText?: string;
}

/** Keycloak's ConsentRepresentation: the client scopes granted, and when (ms). */
export interface Consent {
  grantedScopes: ConsentScope[];
  createdDate: number;
  lastUpdatedDate: number;
}

export interface ApplicationConsents {
  /** The user's consents by client UUID. */
  consentsOf(realm: LoadedRealm, userId: string): Promise<Map<string, Consent>>;
  /** Removes the user's consent to a client, durably; true when there was one. */
  revoke(realm: LoadedRealm, userId: string, clientUuid: string): Promise<boolean>;
}

export const noConsents: ApplicationConsents = {
  consentsOf: async () => new Map(),
  revoke: async () => false,
};
