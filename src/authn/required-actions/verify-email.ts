/**
 * `VERIFY_EMAIL`: Keycloak's "Email verification" page. Without a way to send the link (no
 * mailer: e-mail sending is not configured) the page says so and the login waits until an
 * administrator marks the address verified; `verifyEmail(mailer)` is the hook e-mail delivery
 * plugs into. A user whose address is already verified passes.
 */
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { neededWhenPending } from './pending.ts';

/** Sends the verification link of this login; false when it could not be sent. */
export type VerificationMailer = (flow: LoginFlow) => Promise<boolean>;

export function verifyEmail(mailer?: VerificationMailer): LoginStep {
  return {
    id: 'VERIFY_EMAIL',
    kind: 'required-action',
    needed: neededWhenPending,
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
