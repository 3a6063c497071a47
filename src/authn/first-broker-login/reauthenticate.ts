/**
 * Keycloak's "Verify Existing Account By Re-authentication": the password form for the existing
 * account, its username fixed, with "Authenticate to link your account with …". A right password
 * links the upstream account to it and identifies the user; the one-time code (when they have
 * one) still follows, as Keycloak's flow asks for it.
 */
import { checkCredentials, loginFailure } from '../../oidc/login/credentials.ts';
import { loginFormPage } from '../../oidc/login/login-page.ts';
import type { LoginStep } from '../login-step.ts';
import { linkExisting, providerOf } from './brokered-login.ts';
import { existingUserId, linkConfirmed, pendingIdentity } from './pending-identity.ts';

export const reauthenticate: LoginStep = {
  id: 'idp-username-password-form',
  kind: 'first-broker-login',
  async needed(flow) {
    return pendingIdentity(flow) !== undefined && existingUserId(flow) !== undefined && linkConfirmed(flow);
  },
  async page(flow, actionUrl, message) {
    const identity = pendingIdentity(flow)!;
    const existing = await flow.ctx.realms.repository.findUserById(existingUserId(flow)!);
    const provider = providerOf(flow, identity);
    const page = loginFormPage(flow.realm, actionUrl, flow.tab, { error: message.error, username: existing?.username, status: message.status });
    return { ...page, data: { ...page.data, usernameReadOnly: true }, message: { ...page.message, info: message.error ? undefined : 'federatedIdentityConfirmReauthenticateMessage', params: [provider?.displayName ?? identity.alias] } };
  },
  async submit(flow, form) {
    const identity = pendingIdentity(flow)!;
    const existing = await flow.ctx.realms.repository.findUserById(existingUserId(flow)!);
    if (!existing) return { kind: 'again', message: { error: 'invalidUserMessage' } };
    const outcome = await checkCredentials(flow.ctx, flow.realm, existing.username, form.get('password') ?? '', flow.request.clientConnection.address);
    if (outcome.result === 'busy') return { kind: 'again', message: { error: 'loginBusyMessage', status: 503 } };
    if (outcome.result !== 'ok' || outcome.user.id !== existing.id) {
      flow.ctx.events.recorder
        .user(flow.realm, 'LOGIN', flow.request)
        .client(flow.client.clientId)
        .user(existing.id)
        .detail('identity_provider', identity.alias)
        .detail('username', existing.username)
        .error(outcome.result === 'invalid' ? loginFailure(outcome) : 'user_disabled');
      return { kind: 'again', message: { error: outcome.result === 'disabled' ? 'accountDisabledMessage' : 'invalidUserMessage' } };
    }
    return linkExisting(flow, existing, identity);
  },
};
