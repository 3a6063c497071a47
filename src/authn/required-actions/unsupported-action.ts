/**
 * A required action the realm registers and enables (from a Keycloak realm file, e.g.
 * `webauthn-register`) that holdfast cannot run. A user who has it pending is stopped with
 * Keycloak's "Account is not fully set up" rather than let through without it.
 */
import { invalidGrant } from '../../errors/index.ts';
import type { LoginStep } from '../login-step.ts';
import { alerts, title } from '../step-pages.ts';
import { isPending } from './pending.ts';

const NOT_SET_UP = 'Account is not fully set up. Contact your administrator.';

export function unsupportedAction(alias: string): LoginStep {
  return {
    id: alias,
    kind: 'required-action',
    async needed(flow) {
      return isPending(flow, alias);
    },
    async page() {
      return { title: 'We are sorry...', body: [title('We are sorry...'), alerts({ error: NOT_SET_UP })].join('\n'), status: 400 };
    },
    async submit() {
      return { kind: 'again', message: {} };
    },
    async direct() {
      throw invalidGrant('Account is not fully set up');
    },
  };
}
