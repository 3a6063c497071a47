/**
 * The verification mail of a login's VERIFY_EMAIL page: a single-use `verify-email` link
 * (src/action-tokens) bound to the user and the address it confirms, sent once per login and
 * address (a reload does not send it again), and a SEND_VERIFY_EMAIL event. Without SMTP settings
 * nothing is sent and the page says so.
 */
import { actionTokenLifespan, issueActionToken, actionTokenLink } from '../../action-tokens/index.ts';
import { linkExpiration, renderMail, smtpConfig } from '../../mail/index.ts';
import type { LoginFlow } from '../login-step.ts';

/** Tab note: the address this login already sent a link to. */
const SENT_TO = 'verify-email.sent-to';

export async function sendVerificationMail(flow: LoginFlow): Promise<boolean> {
  const { ctx, realm, issuer, tab } = flow;
  const user = flow.user!;
  const settings = realm.realm.settings;
  const smtp = smtpConfig(settings.smtpServer, realm.keys.sealKey, realm.realm.id);
  if (!smtp || !user.email) return false;
  if (tab.notes?.[SENT_TO] === user.email) return true;
  const lifespan = actionTokenLifespan(settings, 'verify-email', false);
  const { token } = await issueActionToken(ctx, realm, issuer, { typ: 'verify-email', sub: user.id, azp: tab.clientId, rdu: tab.redirectUri, eml: user.email }, lifespan);
  const link = actionTokenLink(issuer, token, { clientId: tab.clientId, tabId: flow.tabId });
  const locale = user.attributes.locale?.[0];
  const sent = ctx.mail.send(realm.realm.name, smtp, renderMail('emailVerification', user.email, [link, linkExpiration(lifespan, locale), settings.displayName ?? realm.realm.name], locale));
  const event = ctx.events.recorder.user(realm, 'SEND_VERIFY_EMAIL', flow.request).client(tab.clientId).user(user.id).detail('email', user.email);
  if (!sent) {
    event.error('email_send_failed');
    return false;
  }
  event.success();
  tab.notes = { ...tab.notes, [SENT_TO]: user.email };
  return true;
}
