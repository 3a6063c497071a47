/**
 * A required action the realm registers and enables (from a Keycloak realm file, e.g.
 * `webauthn-register`) that holdfast cannot run. A user who has it pending is stopped with
 * Keycloak's "Account is not fully set up" rather than let through without it.
 */
import { invalidGrant } from '../../errors/index.ts';
import type { LoginStep } from '../login-step.ts';
import { isPending } from './pending.ts';

const NOT_SET_UP = 'accountNotSetUpMessage';

export function unsupportedAction(alias: string): LoginStep {
  return {
    id: alias,
    kind: 'required-action',
    async needed(flow) {
      return isPending(flow, alias);
    },
    async page() {
      return { template: 'error', title: 'errorTitle', data: { text: NOT_SET_UP }, status: 400 };
    },
    async submit() {
      return { kind: 'again', message: {} };
    },
    async direct() {
      throw invalidGrant('Account is not fully set up');
    },
  };
}
