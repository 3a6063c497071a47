/**
 * `UPDATE_EMAIL` (disabled on a new realm, as in Keycloak). Without realm `verifyEmail` the new
 * address is taken at once and marked unverified. With it, as in Keycloak, nothing changes yet:
 * a single-use `update-email` link (src/action-tokens) goes to the new address, the login stops
 * at "Confirmation email sent", and the address changes (verified) only when the link is
 * followed. Every user-visible text is in TEXTS under Keycloak's message keys.
 */
import { actionTokenLifespan, issueActionToken, actionTokenLink } from '../../action-tokens/index.ts';
import { linkExpiration, renderMail, smtpConfig } from '../../mail/index.ts';
import type { LoginFlow, LoginStep, StepOutcome } from '../login-step.ts';
import { changedProfileProblem, profileChange, uniquenessProblems } from '../profile-check.ts';
import { neededWhenPending } from './pending.ts';

const TEXTS = {
  updateEmailTitle: 'Update email',
  email: 'Email',
  doSubmit: 'Submit',
  missingEmailMessage: 'Please specify email.',
  emailUpdateConfirmationSentTitle: 'Confirmation email sent',
  emailUpdateConfirmationSent: 'A confirmation email has been sent to {0}. You must follow the instructions of the former to complete the email update.',
  emailSendErrorMessage: 'Failed to send email, please try again later.',
} as const;

/** Tab note: the new address a confirmation link was sent to; the page then only says so. */
const SENT_TO = 'update-email.sent-to';

/** Sends the confirmation link to the new address; false when it could not be sent. */
async function sendConfirmation(flow: LoginFlow, newEmail: string): Promise<boolean> {
  const { ctx, realm, issuer, tab } = flow;
  const user = flow.user!;
  const settings = realm.realm.settings;
  const smtp = smtpConfig(settings.smtpServer, realm.keys.sealKey, realm.realm.id);
  const event = ctx.events.recorder.user(realm, 'SEND_VERIFY_EMAIL', flow.request).client(tab.clientId).user(user.id).detail('email', newEmail);
  if (!smtp) {
    event.error('email_send_failed');
    return false;
  }
  const lifespan = actionTokenLifespan(settings, 'update-email', false);
  const { token } = await issueActionToken(ctx, realm, issuer, { typ: 'update-email', sub: user.id, azp: tab.clientId, rdu: tab.redirectUri, eml: user.email, newEmail }, lifespan);
  const link = actionTokenLink(issuer, token, { clientId: tab.clientId });
  const locale = user.attributes.locale?.[0];
  const sent = ctx.mail.send(realm.realm.name, smtp, renderMail('emailUpdateConfirmation', newEmail, [link, linkExpiration(lifespan, locale), settings.displayName ?? realm.realm.name, newEmail], locale));
  if (sent) event.success();
  else event.error('email_send_failed');
  return sent;
}

export const updateEmail: LoginStep = {
  id: 'UPDATE_EMAIL',
  kind: 'required-action',
  needed: neededWhenPending,
  async page(flow, actionUrl, message) {
    const sentTo = flow.tab.notes?.[SENT_TO];
    if (sentTo !== undefined) {
      return { template: 'info', title: TEXTS.emailUpdateConfirmationSentTitle, data: { text: TEXTS.emailUpdateConfirmationSent.replace('{0}', sentTo) } };
    }
    return { template: 'update-email', title: 'updateEmailTitle', data: { action: actionUrl, email: flow.user!.email ?? '' }, message };
  },
  async submit(flow, fields): Promise<StepOutcome> {
    const user = flow.user!;
    const email = (fields.get('email') ?? '').trim().toLowerCase();
    const values = { email };
    if (flow.tab.notes?.[SENT_TO] !== undefined) return { kind: 'again', message: {} };
    if (email === '') return { kind: 'again', message: { error: TEXTS.missingEmailMessage, field: 'email', values } };
    const updated = { ...user, email, emailVerified: email === user.email && user.emailVerified };
    const unchanged = email === user.email && user.emailVerified;
    if (!flow.realm.realm.settings.verifyEmail || unchanged) return profileChange(flow, updated, values);

    const problem = changedProfileProblem(flow, updated) ?? (await uniquenessProblems(flow.ctx.realms.repository, flow.realm.realm.settings, updated)).find((p) => p.field === 'email');
    if (problem) return { kind: 'again', message: { ...problem, values } };
    if (!(await sendConfirmation(flow, email))) return { kind: 'again', message: { error: TEXTS.emailSendErrorMessage, values } };
    flow.tab.notes = { ...flow.tab.notes, [SENT_TO]: email };
    return { kind: 'again', message: {} };
  },
};
