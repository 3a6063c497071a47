/**
 * `CONFIGURE_TOTP`: the authenticator setup page of Keycloak's theme (`kc-totp-settings-form`,
 * `totp`, `totpSecret`, `userLabel`, the QR code `kc-totp-secret-qr-code` and the manual key
 * `kc-totp-secret-key`). The QR code is drawn here (npm `qrcode`), never by a third party. The
 * secret lives sealed in the login's tab between the page and its form, and the new credential
 * is stored in Keycloak's format, sealed (otp-credential.ts).
 */
import { newId, open, seal } from '../../crypto/index.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { groupedKey, hasOtp, newOtpCredential, newOtpSecret, otpAuthUri, otpSupportedApplications, sealCredential, verifySetupCode } from '../otp/index.ts';
import { neededWhenPending } from './pending.ts';

const NOTE = 'totpSecret';
const SEAL_CONTEXT = 'totp-setup';
const MAX_LABEL = 255;

/** The secret being set up in this tab, created on first view. */
function setupSecret(flow: LoginFlow): string {
  const notes = (flow.tab.notes ??= {});
  if (notes[NOTE]) return open(flow.realm.keys.sealKey, notes[NOTE], SEAL_CONTEXT);
  const secret = newOtpSecret();
  notes[NOTE] = seal(flow.realm.keys.sealKey, secret, SEAL_CONTEXT);
  return secret;
}

export const configureTotp: LoginStep = {
  id: 'CONFIGURE_TOTP',
  kind: 'required-action',
  needed: neededWhenPending,
  async page(flow, actionUrl, message) {
    const settings = flow.realm.realm.settings;
    const secret = setupSecret(flow);
    const realmLabel = settings.displayName ?? flow.realm.realm.name;
    // Loaded on the first setup page: most nodes never draw one.
    const { default: QRCode } = await import('qrcode');
    const qrCode = await QRCode.toDataURL(otpAuthUri(settings, realmLabel, flow.user!.username, secret), { errorCorrectionLevel: 'M', margin: 1, width: 246 });
    return {
      template: 'login-config-totp',
      title: 'loginTotpTitle',
      data: {
        action: actionUrl,
        apps: otpSupportedApplications(settings),
        qrCode,
        secret,
        key: groupedKey(secret),
        type: settings.otpPolicyType,
        algorithm: settings.otpPolicyAlgorithm.replace(/^Hmac/, ''),
        digits: settings.otpPolicyDigits,
        period: settings.otpPolicyPeriod,
        counter: settings.otpPolicyInitialCounter,
        deviceNameRequired: await hasOtp(flow.ctx, flow.user!),
      },
      message: { info: 'configureTotpMessage', ...message },
      status: message.status,
    };
  },
  async submit(flow, fields) {
    const user = flow.user!;
    const secret = setupSecret(flow);
    const code = (fields.get('totp') ?? '').trim();
    const userLabel = (fields.get('userLabel') ?? '').trim();
    const values = { userLabel };
    // The page carries the secret as Keycloak's does; only the one this tab issued is accepted.
    if (fields.has('totpSecret') && fields.get('totpSecret') !== secret) return { kind: 'again', message: { error: 'invalidRequestMessage', values } };
    if (code === '') return { kind: 'again', message: { error: 'missingTotpMessage', field: 'totp', values } };
    const counter = verifySetupCode(flow.ctx, flow.realm, secret, code);
    if (counter === undefined) return { kind: 'again', message: { error: 'invalidTotpMessage', field: 'totp', values } };
    if (userLabel === '' && (await hasOtp(flow.ctx, user))) return { kind: 'again', message: { error: 'missingTotpDeviceNameMessage', field: 'userLabel', values } };
    if (userLabel.length > MAX_LABEL) return { kind: 'again', message: { error: 'totpDeviceNameTooLongMessage', params: [String(MAX_LABEL)], field: 'userLabel', values } };
    const credential = sealCredential(newOtpCredential(newId(), secret, flow.realm.realm.settings, userLabel === '' ? undefined : userLabel, flow.ctx.clock.nowMs(), counter), flow.realm.keys.sealKey);
    delete flow.tab.notes![NOTE];
    return { kind: 'done', write: (tx) => tx.addCredential(user.id, credential), logoutOtherSessions: fields.get('logout-sessions') === 'on' };
  },
};
