/**
 * `UPDATE_PASSWORD`: a temporary password (admin reset-password with `temporary: true`), an
 * expired one (policy `forceExpiredPasswordChange`), or an admin's request. The new password is
 * checked against the realm's policy with Keycloak's messages and kept with its history.
 */
import type { LoginStep } from '../login-step.ts';
import { preparePasswordChange, realmPasswordPolicy } from '../password-policy/index.ts';
import { isPending } from './pending.ts';

const DAY_MS = 86_400_000;

export const updatePassword: LoginStep = {
  id: 'UPDATE_PASSWORD',
  kind: 'required-action',
  async needed(flow) {
    if (isPending(flow, this.id)) return true;
    const days = realmPasswordPolicy(flow.realm).expireDays;
    if (days === undefined || flow.user === undefined) return false;
    const password = await flow.ctx.realms.repository.getPassword(flow.user.id);
    return password !== undefined && password.createdDate + days * DAY_MS <= flow.ctx.clock.nowMs();
  },
  async page(_flow, actionUrl, message) {
    return {
      template: 'login-update-password',
      title: 'updatePasswordTitle',
      data: { action: actionUrl, logoutSessions: true },
      message: { info: 'resetPasswordMessage', ...message },
      status: message.status,
    };
  },
  async submit(flow, fields) {
    const user = flow.user!;
    const password = fields.get('password-new') ?? '';
    if (password === '') return { kind: 'again', message: { error: 'missingPasswordMessage', field: 'password-new' } };
    if (fields.get('password-confirm') !== password) return { kind: 'again', message: { error: 'notMatchPasswordMessage', field: 'password-confirm' } };
    const change = await preparePasswordChange(flow.ctx, flow.realm, user, password);
    if ('violation' in change) return { kind: 'again', message: { error: change.violation.description, field: 'password-new' } };
    return {
      kind: 'done',
      write: (tx) => tx.setPassword(user.id, change.credential, change.historyLength),
      logoutOtherSessions: fields.get('logout-sessions') === 'on',
    };
  },
};
