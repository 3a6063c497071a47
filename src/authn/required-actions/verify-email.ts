/**
 * `VERIFY_EMAIL`: Keycloak's "Email verification" page. Needed when pending, and, while the realm
 * has `verifyEmail` on, for every user with an unverified address (at login and after
 * registration, as Keycloak's trigger adds it); a user without an address passes, as in Keycloak.
 * The page sends the link through `mailer` (verification-mail.ts); without a way to send it
 * (e-mail sending is not configured) the page says so and the login waits until an administrator
 * marks the address verified. A user whose address is already verified passes.
 */
import { escapeHtml } from '../../http/html.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { alerts, form, submit, title } from '../step-pages.ts';
import { isPending } from './pending.ts';

/** Sends the verification link of this login; false when it could not be sent. */
export type VerificationMailer = (flow: LoginFlow) => Promise<boolean>;

const NOT_CONFIGURED = 'E-mail sending is not configured for this realm, so no verification link can be sent. Ask your administrator to verify your e-mail address, then continue.';

export function verifyEmail(mailer?: VerificationMailer): LoginStep {
  return {
    id: 'VERIFY_EMAIL',
    kind: 'required-action',
    async needed(flow) {
      const user = flow.user;
      if (user === undefined || !user.email) return false;
      return isPending(flow, this.id) || (flow.realm.realm.settings.verifyEmail && !user.emailVerified);
    },
    async page(flow, actionUrl, message) {
      const user = flow.user!;
      const sent = !user.emailVerified && mailer !== undefined && (await mailer(flow));
      const state = user.emailVerified
        ? '<p id="kc-email-verified">Your email address has been verified.</p>'
        : sent
          ? `<p class="instruction">An email with instructions to verify your email address has been sent to your address ${escapeHtml(user.email ?? '')}.</p>`
          : `<p id="kc-email-sending-not-configured" class="instruction">${escapeHtml(NOT_CONFIGURED)}</p>`;
      const body = [
        title('Email verification'),
        alerts({ info: user.emailVerified ? undefined : 'You need to verify your email address to activate your account.', ...message }),
        state,
        form('kc-verify-email-form', actionUrl, submit('kc-submit', user.emailVerified ? 'Continue' : 'Check again')),
      ].join('\n');
      return { title: 'Email verification', body };
    },
    async submit(flow) {
      if (flow.user!.emailVerified) return { kind: 'done' };
      return { kind: 'again', message: {} };
    },
  };
}
