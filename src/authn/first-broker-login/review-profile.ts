/**
 * Keycloak's `idp-review-profile` with "update profile on first login: missing": shown only when
 * the upstream's profile lacks what the realm's user profile requires (or is invalid); the user
 * completes it, and the login then creates the user, or finds the account that already exists.
 */
import type { BrokeredIdentity } from '../../broker/index.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { registrationProblems } from '../profile-check.ts';
import { providerOf, settleIdentity } from './brokered-login.ts';
import { existingUserId, keepPendingIdentity, pendingIdentity } from './pending-identity.ts';
import { plainUserFromIdentity } from './broker-user.ts';

const FIELDS = [
  { name: 'username', label: 'username', type: 'text', autocomplete: 'username' },
  { name: 'email', label: 'email', type: 'email', autocomplete: 'email' },
  { name: 'firstName', label: 'firstName', type: 'text', autocomplete: 'given-name' },
  { name: 'lastName', label: 'lastName', type: 'text', autocomplete: 'family-name' },
] as const;
const MAX_FIELD_CHARS = 255;

export function profileProblems(flow: LoginFlow, identity: BrokeredIdentity): Array<{ field: string; error: string }> {
  const provider = providerOf(flow, identity);
  if (!provider) return [];
  const problems = registrationProblems(flow, plainUserFromIdentity(flow, provider, identity));
  if ((identity.username ?? '') === '' && !problems.some((p) => p.field === 'username')) problems.unshift({ field: 'username', error: 'Please specify username.' });
  return problems;
}

export const reviewProfile: LoginStep = {
  id: 'idp-review-profile',
  kind: 'first-broker-login',
  async needed(flow) {
    const identity = pendingIdentity(flow);
    return identity !== undefined && existingUserId(flow) === undefined && profileProblems(flow, identity).length > 0;
  },
  async page(flow, actionUrl, message) {
    const identity = pendingIdentity(flow)!;
    const fields = FIELDS.map((f) => ({ ...f, value: identity[f.name] ?? '' }));
    const first = message.error === undefined ? profileProblems(flow, identity)[0] : undefined;
    return { template: 'login-update-profile', title: 'loginIdpReviewProfileTitle', data: { action: actionUrl, fields }, message: first ? { ...message, error: first.error, field: first.field } : message };
  },
  async submit(flow, form) {
    const identity = pendingIdentity(flow)!;
    const values: Record<string, string> = {};
    for (const f of FIELDS) values[f.name] = (form.get(f.name) ?? '').trim().slice(0, MAX_FIELD_CHARS);
    const optional = (v: string) => (v === '' ? undefined : v);
    const reviewed: BrokeredIdentity = { ...identity, username: optional(values.username.toLowerCase()), email: optional(values.email.toLowerCase()), firstName: optional(values.firstName), lastName: optional(values.lastName) };
    const problem = profileProblems(flow, reviewed)[0];
    if (problem) return { kind: 'again', message: { error: problem.error, field: problem.field, values } };
    keepPendingIdentity(flow, reviewed);
    return settleIdentity(flow, reviewed);
  },
};
