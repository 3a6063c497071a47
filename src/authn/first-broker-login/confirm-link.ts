/**
 * Keycloak's `idp-confirm-link`: a local account already has the upstream's username or email.
 * The user may add the upstream account to it, which they then prove is theirs by signing in to
 * it (reauthenticate.ts); nothing is linked before that.
 */
import type { LoginStep } from '../login-step.ts';
import { confirmLink, existingUserId, linkConfirmed, pendingIdentity } from './pending-identity.ts';

export const confirmLinkStep: LoginStep = {
  id: 'idp-confirm-link',
  kind: 'first-broker-login',
  async needed(flow) {
    return pendingIdentity(flow) !== undefined && existingUserId(flow) !== undefined && !linkConfirmed(flow);
  },
  async page(flow, actionUrl, message) {
    const identity = pendingIdentity(flow)!;
    const existing = await flow.ctx.realms.repository.findUserById(existingUserId(flow)!);
    const byEmail = existing !== undefined && identity.email !== undefined && existing.email === identity.email && existing.username !== identity.username;
    return {
      template: 'login-idp-link-confirm',
      title: 'confirmLinkIdpTitle',
      data: { action: actionUrl, attribute: byEmail ? 'email' : 'username', value: byEmail ? identity.email : identity.username },
      message,
    };
  },
  async submit(flow, form) {
    if (form.get('submitAction') !== 'linkAccount') return { kind: 'again', message: {} };
    confirmLink(flow);
    return { kind: 'done' };
  },
};
