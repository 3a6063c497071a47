/**
 * `VERIFY_EMAIL`: Keycloak's "Email verification" page. Needed when pending, and, while the realm
 * has `verifyEmail` on, for every user with an unverified address (at login and after
 * registration, as Keycloak's trigger adds it); a user without an address passes, as in Keycloak.
 * The page sends the link through `mailer` (verification-mail.ts); without a way to send it
 * (e-mail sending is not configured) the page says so and the login waits until an administrator
 * marks the address verified. A user whose address is already verified passes.
 */
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { isPending } from './pending.ts';

/** Sends the verification link of this login; false when it could not be sent. */
export type VerificationMailer = (flow: LoginFlow) => Promise<boolean>;

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
      const state = user.emailVerified ? 'verified' : sent ? 'sent' : 'not-configured';
      return {
        template: 'login-verify-email',
        title: 'emailVerifyTitle',
        data: { action: actionUrl, state, email: user.email ?? '' },
        message: { info: user.emailVerified ? undefined : 'verifyEmailMessage', ...message },
      };
    },
    async submit(flow) {
      if (flow.user!.emailVerified) return { kind: 'done' };
      return { kind: 'again', message: {} };
    },
  };
}
