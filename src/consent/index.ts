/**
 * Consent (Keycloak's OAuth grant): what a `consentRequired` client asks the user to agree to,
 * the texts of the consent screen, and the user's stored consents (list, grant, revoke) for the
 * login step, the admin API and the account API.
 */
export { CONSENT_MESSAGES, consentMessage, resolveConsentText, type ConsentMessageKey } from './consent-messages.ts';
export { scopesOnConsentScreen, scopesToApprove, grantedScopesOf, type ConsentScope } from './consent-scopes.ts';
export { listUserConsents, grantUserConsent, revokeUserConsent, type UserConsentView, type GrantOutcome, type Revocation, type ConsentEventSource } from './user-consents.ts';
