/**
 * Keycloak's `auth-username-password-form`: the username and password form, the first step of
 * every browser login. It identifies the user (checkCredentials: brute force, busy hashing,
 * disabled users answered as Keycloak does).
 */
import { checkCredentials } from '../../oidc/login/credentials.ts';
import { LOGIN_EXECUTION, loginFormPage } from '../../oidc/login/login-page.ts';
import type { LoginStep } from '../login-step.ts';

const INVALID_CREDENTIALS = 'Invalid username or password.';
const ACCOUNT_DISABLED = 'Account is disabled, contact your administrator.';
const LOGIN_BUSY = 'Too many logins in progress. Please try again in a moment.';

export const passwordForm: LoginStep = {
  id: LOGIN_EXECUTION,
  kind: 'authenticate',
  async needed(flow) {
    return flow.user === undefined;
  },
  async page(flow, actionUrl, message) {
    return { ...loginFormPage(flow.realm, actionUrl, flow.tab, { error: message.error, info: message.info, username: message.values?.username }), status: message.status };
  },
  async submit(flow, form) {
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const again = (error: string, status?: number) => ({ kind: 'again' as const, message: { error, status, values: { username } } });
    if (username === '' || password === '') return again(INVALID_CREDENTIALS);
    const outcome = await checkCredentials(flow.ctx, flow.realm, username, password, flow.request.clientConnection.address);
    if (outcome.result === 'busy') return again(LOGIN_BUSY, 503);
    if (outcome.result === 'invalid') return again(INVALID_CREDENTIALS);
    if (outcome.result === 'disabled') return again(ACCOUNT_DISABLED);
    flow.tab.rememberMe = flow.realm.realm.settings.rememberMe && form.get('rememberMe') === 'on';
    return { kind: 'done', user: outcome.user };
  },
};
