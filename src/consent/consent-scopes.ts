/**
 * What a login asks the user to agree to, as Keycloak decides it: the requested client scopes
 * (the client itself first, then its default scopes, then the optional ones the request names)
 * that are shown on the consent screen, each with its consent text; and of those, the ones the
 * user's stored consent does not cover yet, so a new scope is asked for on its own.
 */
import { scopeGrantOf, type Client, type ClientScope, type LoadedRealm, type UserConsent } from '../realm/index.ts';
import { resolveConsentText } from './consent-messages.ts';

const DISPLAY_ON_CONSENT_SCREEN = 'display.on.consent.screen';
const CONSENT_SCREEN_TEXT = 'consent.screen.text';

/** One line of the consent screen. `id` is what a consent stores: the scope's id, or the client's for the client itself. */
export interface ConsentScope {
  id: string;
  name: string;
  /** The consent text as configured (`${profileScopeConsentText}`…). */
  consentScreenText: string;
  /** The text shown, resolved. */
  displayText: string;
}

/** Keycloak's rule: a scope is shown unless its attribute says `false`, a client only when its attribute says `true`. */
function displayed(attributes: Record<string, string>, absent: boolean): boolean {
  const value = attributes[DISPLAY_ON_CONSENT_SCREEN];
  return value === undefined ? absent : value.toLowerCase() === 'true';
}

function entry(id: string, name: string, consentScreenText: string): ConsentScope {
  return { id, name, consentScreenText, displayText: resolveConsentText(consentScreenText) };
}

/** The client shown as one of its own scopes: its consent text, else its clientId. */
function clientEntry(client: Client): ConsentScope {
  const text = client.attributes[CONSENT_SCREEN_TEXT];
  return entry(client.id, client.name || client.clientId, text !== undefined && text.trim() !== '' ? text : client.clientId);
}

function scopeEntry(scope: ClientScope): ConsentScope {
  return entry(scope.id, scope.name, scope.attributes[CONSENT_SCREEN_TEXT] ?? scope.name);
}

/** The consent screen's lines for this request's `scope` (validated when the request came in). */
export function scopesOnConsentScreen(realm: LoadedRealm, client: Client, requestedScope: string): ConsentScope[] {
  const grant = scopeGrantOf(realm, client);
  const asked = new Set(requestedScope.split(' ').filter((s) => s !== ''));
  const scopes = [...grant.defaults, ...[...grant.optional.values()].filter((s) => asked.has(s.name))];
  return [...(displayed(client.attributes, false) ? [clientEntry(client)] : []), ...scopes.filter((s) => displayed(s.attributes, true)).map(scopeEntry)];
}

/** The lines a stored consent does not cover; all of them without one. */
export function scopesToApprove(onScreen: ConsentScope[], consent: UserConsent | undefined): ConsentScope[] {
  if (!consent) return onScreen;
  const granted = new Set(consent.grantedScopeIds);
  return onScreen.filter((s) => !granted.has(s.id));
}

/** The granted scopes of a consent that still exist, for listings (a deleted scope stops resolving). */
export function grantedScopesOf(realm: LoadedRealm, consent: UserConsent): ConsentScope[] {
  return consent.grantedScopeIds.flatMap((id) => {
    const scope = realm.clientScopesById.get(id);
    if (scope) return [scopeEntry(scope)];
    const client = realm.clientsById.get(id);
    return client ? [clientEntry(client)] : [];
  });
}
