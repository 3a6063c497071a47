/**
 * The account API's view of the consents the login's consent screen stores (src/consent): a
 * user's consents by client with the client scopes granted, and the removal of one. The account
 * routes end the client's sessions themselves, as Keycloak's account service does.
 */
import type { Context } from '../context.ts';
import { grantedScopesOf } from '../consent/index.ts';
import type { ApplicationConsents, Consent } from './application-consents.ts';

export function storedConsents(ctx: Context): ApplicationConsents {
  return {
    async consentsOf(realm, userId) {
      const consents = new Map<string, Consent>();
      for (const consent of await ctx.realms.repository.listConsents(userId)) {
        if (!realm.clientsById.has(consent.clientUuid)) continue;
        const grantedScopes = grantedScopesOf(realm, consent).map(({ id, name, displayText }) => ({ id, name, displayText }));
        consents.set(consent.clientUuid, { grantedScopes, createdDate: consent.createdDate, lastUpdatedDate: consent.lastUpdatedDate });
      }
      return consents;
    },
    revoke: async (_realm, userId, clientUuid) => ctx.realms.repository.deleteConsent(userId, clientUuid),
  };
}
