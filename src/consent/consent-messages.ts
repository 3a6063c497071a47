/**
 * Every text the consent screen shows, under Keycloak's message keys (messages_en), so the
 * themed, translated pages can take them over key for key. Client scopes name their consent text
 * as Keycloak's do: `${profileScopeConsentText}` is looked up here, any other text is shown as
 * it is.
 */
export const CONSENT_MESSAGES = {
  oauthGrantTitle: 'Grant Access to {0}',
  oauthGrantRequest: 'Do you grant these access privileges?',
  oauthGrantInformation: 'Make sure you trust {0} by learning how {0} will handle your data.',
  oauthGrantReview: 'You could review the ',
  oauthGrantTos: 'terms of service.',
  oauthGrantPolicy: 'privacy policy.',
  doYes: 'Yes',
  doNo: 'No',
  offlineAccessScopeConsentText: 'Offline Access',
  samlRoleListScopeConsentText: 'My Roles',
  rolesScopeConsentText: 'User roles',
  profileScopeConsentText: 'User profile',
  emailScopeConsentText: 'Email address',
  addressScopeConsentText: 'Address',
  phoneScopeConsentText: 'Phone number',
  organizationScopeConsentText: 'Organization',
} as const;

export type ConsentMessageKey = keyof typeof CONSENT_MESSAGES;

/** A message with its `{0}` placeholders filled in. */
export function consentMessage(key: ConsentMessageKey, ...args: string[]): string {
  return CONSENT_MESSAGES[key].replace(/\{(\d)\}/g, (whole, n: string) => args[Number(n)] ?? whole);
}

const MESSAGE_REFERENCE = /^\$\{([^}]+)\}$/;

/** Keycloak's `advancedMsg`: `${key}` is the message of that key (the key itself when unknown), anything else is literal. */
export function resolveConsentText(text: string): string {
  const reference = MESSAGE_REFERENCE.exec(text);
  if (!reference) return text;
  const key = reference[1];
  return Object.hasOwn(CONSENT_MESSAGES, key) ? CONSENT_MESSAGES[key as ConsentMessageKey] : key;
}
