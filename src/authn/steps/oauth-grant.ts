/**
 * The consent screen (Keycloak's `login-oauth-grant`), the last step before the code: for a
 * `consentRequired` client it lists what the user has not agreed to yet (everything under
 * `prompt=consent`), and "Yes" stores the consent while "No" ends the login with
 * `access_denied`. What is granted is computed here from the login's own request, never read
 * from the form, so a tampered form cannot widen a consent.
 */
import { consentMessage, grantUserConsent, resolveConsentText, scopesOnConsentScreen, scopesToApprove, type ConsentScope } from '../../consent/index.ts';
import { escapeHtml } from '../../http/html.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { alerts, form, submit, title } from '../step-pages.ts';

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

function clientName(flow: LoginFlow): string {
  return flow.client.name ? resolveConsentText(flow.client.name) : flow.client.clientId;
}

/** Keycloak's links to the client's terms and privacy policy, when it names them. */
function clientPolicies(flow: LoginFlow): string {
  const { tosUri, policyUri } = flow.client.attributes;
  if (!tosUri && !policyUri) return '';
  const link = (href: string, text: string) => `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(text)}</a>`;
  const name = clientName(flow);
  return [
    `<p id="kc-oauth-information">${escapeHtml(consentMessage('oauthGrantInformation', name))}</p>`,
    tosUri ? `<p id="kc-oauth-tos">${escapeHtml(consentMessage('oauthGrantReview'))}${link(tosUri, consentMessage('oauthGrantTos'))}</p>` : '',
    policyUri ? `<p id="kc-oauth-policy">${escapeHtml(consentMessage('oauthGrantReview'))}${link(policyUri, consentMessage('oauthGrantPolicy'))}</p>` : '',
  ].join('\n');
}

export const oauthGrant: LoginStep = {
  id: 'OAUTH_GRANT',
  kind: 'consent',
  async needed(flow) {
    return (await consentToAsk(flow)).length > 0;
  },
  async page(flow, actionUrl, message) {
    const scopes = await consentToAsk(flow);
    const heading = consentMessage('oauthGrantTitle', clientName(flow));
    const content = [
      `<h3>${escapeHtml(consentMessage('oauthGrantRequest'))}</h3>`,
      `<ul id="kc-oauth-scopes">\n${scopes.map((s) => `<li><span>${escapeHtml(s.displayText)}</span></li>`).join('\n')}\n</ul>`,
      clientPolicies(flow),
      `<input type="hidden" name="code" value="${escapeHtml(flow.tab.sessionCode)}">`,
      submit('kc-login', consentMessage('doYes'), 'accept'),
      submit('kc-cancel', consentMessage('doNo'), 'cancel'),
    ].join('\n');
    return { title: heading, body: [title(heading), alerts(message), form('kc-oauth', actionUrl, content)].join('\n') };
  },
  async submit(flow, fields) {
    if (fields.has('cancel')) {
      flow.ctx.events.recorder
        .user(flow.realm, 'LOGIN', flow.request.clientConnection.address)
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
