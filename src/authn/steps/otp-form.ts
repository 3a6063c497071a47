/**
 * Keycloak's `auth-otp-form` ("Browser - Conditional OTP"): needed when the user has an OTP
 * credential. The code is checked under brute-force detection and replay protection
 * (verify-otp.ts); the password grant takes it as `totp`.
 */
import { invalidGrant, serviceUnavailable } from '../../errors/index.ts';
import { checkSecondFactor } from '../../oidc/login/credentials.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { hasOtp, otpCredentialsOf, verifyOtp } from '../otp/index.ts';

const INVALID_CODE = 'invalidTotpMessage';
const LOGIN_BUSY = 'loginBusyMessage';

function check(flow: LoginFlow, code: string, credentialId: string | undefined) {
  const user = flow.user!;
  return checkSecondFactor(flow.ctx, flow.realm, user, flow.request.clientConnection.address, () => verifyOtp(flow.ctx, flow.realm, user, code, credentialId));
}

export const otpForm: LoginStep = {
  id: 'auth-otp-form',
  kind: 'authenticate',
  async needed(flow) {
    return flow.user !== undefined && (await hasOtp(flow.ctx, flow.user));
  },
  async page(flow, actionUrl, message) {
    const credentials = await otpCredentialsOf(flow.ctx, flow.realm, flow.user!);
    // Several devices: Keycloak lets the user pick one (`selectedCredentialId`).
    const choices = credentials.map((c, i) => ({ id: c.stored.id, label: c.stored.userLabel ?? `OTP ${i + 1}`, selected: i === 0 }));
    return { template: 'login-otp', title: 'doLogIn', data: { action: actionUrl, credentials: choices }, message, status: message.status };
  },
  async submit(flow, fields) {
    const code = (fields.get('otp') ?? '').trim();
    if (code === '') return { kind: 'again', message: { error: INVALID_CODE, field: 'otp' } };
    const outcome = await check(flow, code, fields.get('selectedCredentialId'));
    if (outcome === 'busy') return { kind: 'again', message: { error: LOGIN_BUSY, status: 503 } };
    if (outcome === 'invalid') return { kind: 'again', message: { error: INVALID_CODE, field: 'otp' } };
    return { kind: 'done' };
  },
  async direct(flow, fields) {
    const code = fields.get('totp') ?? '';
    const outcome = code === '' ? 'invalid' : await check(flow, code, undefined);
    if (outcome === 'busy') throw serviceUnavailable('Too many logins in progress, try again shortly', 1);
    // Keycloak answers 400 here (a wrong password is 401).
    if (outcome === 'invalid') throw invalidGrant('Invalid user credentials');
  },
};
