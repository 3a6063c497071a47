/**
 * The consent screen (Keycloak's `login-oauth-grant`), the last step before the code: for a
 * `consentRequired` client it lists what the user has not agreed to yet (everything under
 * `prompt=consent`), and "Yes" stores the consent while "No" ends the login with
 * `access_denied`. The page is the theme's `login-oauth-grant` template. What is granted is computed here from the login's own request, never read
 * from the form, so a tampered form cannot widen a consent.
 */
import { grantUserConsent, resolveConsentText, scopesOnConsentScreen, scopesToApprove, type ConsentScope } from '../../consent/index.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';

/** `LOGIN`'s `consent` detail, as Keycloak's Details names its values. */
export const CONSENT_DETAIL = 'consent';
const CONSENT_GRANTED = 'consent_granted';

export function promptsConsent(prompt: string | undefined): boolean {
  return (prompt ?? '').split(' ').includes('consent');
}

/** What this login would ask the user to agree to; empty when nothing is to be asked. */
export async function consentToAsk(flow: Pick<LoginFlow, 'ctx' | 'realm' | 'client' | 'tab' | 'user'>): Promise<ConsentScope[]> {
  const { ctx, realm, client, tab, user } = flow;
  if (!client.consentRequired || !user) return [];
  const onScreen = scopesOnConsentScreen(realm, client, tab.scope);
  if (onScreen.length === 0) return [];
  // prompt=consent asks again for everything, whatever was stored.
  const stored = promptsConsent(tab.prompt) ? undefined : await ctx.realms.repository.getConsent(user.id, client.id);
  return scopesToApprove(onScreen, stored);
}

export const oauthGrant: LoginStep = {
  id: 'OAUTH_GRANT',
  kind: 'consent',
  async needed(flow) {
    return (await consentToAsk(flow)).length > 0;
  },
  async page(flow, actionUrl, message) {
    const scopes = await consentToAsk(flow);
    const { name, clientId, attributes } = flow.client;
    const clientName = name || clientId;
    return {
      template: 'login-oauth-grant',
      // The tab's title; the card's heading (the template) also resolves a `${key}` client name.
      title: { key: 'oauthGrantTitle', params: [resolveConsentText(clientName)] },
      data: { action: actionUrl, clientName, scopes: scopes.map((s) => s.consentScreenText), code: flow.tab.sessionCode, tosUri: attributes.tosUri || undefined, policyUri: attributes.policyUri || undefined },
      message,
    };
  },
  async submit(flow, fields) {
    if (fields.has('cancel')) {
      flow.ctx.events.recorder
        .user(flow.realm, 'LOGIN', flow.request)
        .client(flow.client.clientId)
        .user(flow.user?.id)
        .detail('auth_method', 'openid-connect')
        .detail('redirect_uri', flow.tab.redirectUri)
        .detail('username', flow.user?.username)
        .error('rejected_by_user');
      // Keycloak's answer to "No": `access_denied` without a description.
      return { kind: 'cancel', error: 'access_denied' };
    }
    if (!fields.has('accept')) return { kind: 'again', message: {} };
    const scopes = await consentToAsk(flow);
    await grantUserConsent(flow.ctx, flow.realm, flow.user!.id, flow.client, scopes);
    flow.tab.notes = { ...flow.tab.notes, [CONSENT_DETAIL]: CONSENT_GRANTED };
    return { kind: 'done' };
  },
};
