/**
 * `UPDATE_EMAIL` (disabled on a new realm, as in Keycloak): the new address is taken at once and
 * marked unverified. Keycloak sends a confirmation link first when the realm verifies e-mail;
 * that part comes with e-mail sending.
 */
import type { LoginStep } from '../login-step.ts';
import { profileChange } from '../profile-check.ts';
import { alerts, form, input, submit, title } from '../step-pages.ts';
import { neededWhenPending } from './pending.ts';

export const updateEmail: LoginStep = {
  id: 'UPDATE_EMAIL',
  kind: 'required-action',
  needed: neededWhenPending,
  async page(flow, actionUrl, message) {
    const body = [
      title('Update email'),
      alerts(message),
      form('kc-update-email-form', actionUrl, [input({ id: 'email', label: 'Email', type: 'email', autocomplete: 'email', autofocus: true }, message, flow.user!.email ?? ''), submit('kc-submit', 'Submit')].join('\n')),
    ].join('\n');
    return { title: 'Update email', body };
  },
  async submit(flow, fields) {
    const email = (fields.get('email') ?? '').trim().toLowerCase();
    const values = { email };
    if (email === '') return { kind: 'again', message: { error: 'Please specify email.', field: 'email', values } };
    const updated = { ...flow.user!, email, emailVerified: email === flow.user!.email && flow.user!.emailVerified };
    return profileChange(flow, updated, values);
  },
};
