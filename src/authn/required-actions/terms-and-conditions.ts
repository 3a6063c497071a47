/**
 * `TERMS_AND_CONDITIONS` (disabled on a new realm, as in Keycloak): accepting records the time in
 * the user's `terms_and_conditions` attribute, declining ends the login with `access_denied`.
 */
import type { LoginStep } from '../login-step.ts';
import { neededWhenPending } from './pending.ts';

export const termsAndConditions: LoginStep = {
  id: 'TERMS_AND_CONDITIONS',
  kind: 'required-action',
  needed: neededWhenPending,
  async page(_flow, actionUrl, message) {
    return { template: 'terms', title: 'termsTitle', data: { action: actionUrl }, message };
  },
  async submit(flow, fields) {
    if (fields.has('cancel')) return { kind: 'cancel', error: 'access_denied', description: 'Terms and conditions were declined' };
    const user = flow.user!;
    const accepted = String(Math.floor(flow.ctx.clock.nowMs() / 1000));
    return { kind: 'done', user: { ...user, attributes: { ...user.attributes, terms_and_conditions: [accepted] } } };
  },
};
