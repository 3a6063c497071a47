/**
 * `TERMS_AND_CONDITIONS` (disabled on a new realm, as in Keycloak): accepting records the time in
 * the user's `terms_and_conditions` attribute, declining ends the login with `access_denied`.
 */
import type { LoginStep } from '../login-step.ts';
import { alerts, form, submit, title } from '../step-pages.ts';
import { neededWhenPending } from './pending.ts';

export const termsAndConditions: LoginStep = {
  id: 'TERMS_AND_CONDITIONS',
  kind: 'required-action',
  needed: neededWhenPending,
  async page(_flow, actionUrl, message) {
    const body = [
      title('Terms and Conditions'),
      alerts(message),
      '<div id="kc-terms-text">Terms and conditions to be defined</div>',
      form('kc-terms-form', actionUrl, [submit('kc-accept', 'Accept', 'accept'), submit('kc-decline', 'Decline', 'cancel')].join('\n')),
    ].join('\n');
    return { title: 'Terms and Conditions', body };
  },
  async submit(flow, fields) {
    if (fields.has('cancel')) return { kind: 'cancel', error: 'access_denied', description: 'Terms and conditions were declined' };
    const user = flow.user!;
    const accepted = String(Math.floor(flow.ctx.clock.nowMs() / 1000));
    return { kind: 'done', user: { ...user, attributes: { ...user.attributes, terms_and_conditions: [accepted] } } };
  },
};
