/**
 * Keycloak's `auth-username-password-form`: the username and password form, the first step of
 * every browser login. It identifies the user (checkCredentials: brute force, busy hashing,
 * disabled users answered as Keycloak does). A failure is a LOGIN_ERROR event with Keycloak's
 * error; the LOGIN event comes when the whole login completes.
 */
import { checkCredentials, loginFailure } from '../../oidc/login/credentials.ts';
import { LOGIN_EXECUTION, loginFormPage, providerLinks } from '../../oidc/login/login-page.ts';
import { resetCredentialsUrl } from '../../oidc/login/reset-credentials.ts';
import type { LoginStep } from '../login-step.ts';
import { isRegistering } from './registration-form.ts';
import { registrationUrl } from './registration-page.ts';

const INVALID_CREDENTIALS = 'invalidUserMessage';
const ACCOUNT_DISABLED = 'accountDisabledMessage';
const LOGIN_BUSY = 'loginBusyMessage';

export const passwordForm: LoginStep = {
  id: LOGIN_EXECUTION,
  kind: 'authenticate',
  async needed(flow) {
    return flow.user === undefined && !isRegistering(flow);
  },
  async page(flow, actionUrl, message) {
    const resetUrl = flow.tabId === undefined ? undefined : resetCredentialsUrl(flow.issuer, flow.tabId, flow.tab);
    const registerUrl = flow.tabId === undefined ? undefined : registrationUrl(flow.issuer, flow.tabId, flow.tab);
    const providers = flow.tabId === undefined ? [] : providerLinks(flow.realm, flow.issuer, flow.tabId, flow.tab);
    return loginFormPage(flow.realm, actionUrl, flow.tab, { error: message.error, info: message.info, username: message.values?.username, status: message.status }, resetUrl, registerUrl, providers);
  },
  async submit(flow, form) {
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const again = (error: string, status?: number) => ({ kind: 'again' as const, message: { error, status, values: { username } } });
    const failed = (error: string, userId?: string) =>
      flow.ctx.events.recorder
        .user(flow.realm, 'LOGIN', flow.request)
        .client(flow.client.clientId)
        .user(userId)
        .detail('auth_method', 'openid-connect')
        .detail('auth_type', 'code')
        .detail('redirect_uri', flow.tab.redirectUri)
        .detail('username', username === '' ? undefined : username)
        .error(error);
    if (username === '' || password === '') {
      failed(username === '' ? 'user_not_found' : 'invalid_user_credentials');
      return again(INVALID_CREDENTIALS);
    }
    const outcome = await checkCredentials(flow.ctx, flow.realm, username, password, flow.request.clientConnection.address);
    if (outcome.result === 'busy') return again(LOGIN_BUSY, 503);
    if (outcome.result === 'invalid') {
      failed(loginFailure(outcome), outcome.user?.id);
      return again(INVALID_CREDENTIALS);
    }
    if (outcome.result === 'disabled') {
      failed('user_disabled', outcome.user.id);
      return again(ACCOUNT_DISABLED);
    }
    flow.tab.rememberMe = flow.realm.realm.settings.rememberMe && form.get('rememberMe') === 'on';
    return { kind: 'done', user: outcome.user };
  },
};
