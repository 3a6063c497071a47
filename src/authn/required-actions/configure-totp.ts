/**
 * `CONFIGURE_TOTP`: the authenticator setup page of Keycloak's theme (`kc-totp-settings-form`,
 * `totp`, `totpSecret`, `userLabel`, the QR code `kc-totp-secret-qr-code` and the manual key
 * `kc-totp-secret-key`). The QR code is drawn here (npm `qrcode`), never by a third party. The
 * secret lives sealed in the login's tab between the page and its form, and the new credential
 * is stored in Keycloak's format, sealed (otp-credential.ts).
 */
import QRCode from 'qrcode';
import { newId, open, seal } from '../../crypto/index.ts';
import { escapeHtml } from '../../http/html.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { groupedKey, hasOtp, newOtpCredential, newOtpSecret, otpAuthUri, otpSupportedApplications, sealCredential, verifySetupCode } from '../otp/index.ts';
import { alerts, form, input, logoutSessionsBox, submit, title } from '../step-pages.ts';
import { neededWhenPending } from './pending.ts';

const NOTE = 'totpSecret';
const SEAL_CONTEXT = 'totp-setup';
const MAX_LABEL = 255;

const APP_NAMES: Record<string, string> = {
  totpAppFreeOTPName: 'FreeOTP',
  totpAppGoogleName: 'Google Authenticator',
  totpAppMicrosoftAuthenticatorName: 'Microsoft Authenticator',
};

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
    const qr = await QRCode.toDataURL(otpAuthUri(settings, realmLabel, flow.user!.username, secret), { errorCorrectionLevel: 'M', margin: 1, width: 246 });
    const apps = otpSupportedApplications(settings).map((key) => `<li>${escapeHtml(APP_NAMES[key])}</li>`).join('');
    const counterOrPeriod = settings.otpPolicyType === 'hotp' ? `<li id="kc-totp-counter">Initial counter: ${settings.otpPolicyInitialCounter}</li>` : `<li id="kc-totp-period">Interval: ${settings.otpPolicyPeriod}</li>`;
    const body = [
      title('Mobile Authenticator Setup'),
      alerts({ info: 'You need to set up Mobile Authenticator to activate your account.', ...message }),
      `<ol id="kc-totp-settings">
<li><p>Install one of the following applications on your mobile:</p><ul id="kc-totp-supported-apps">${apps}</ul></li>
<li><p>Open the application and scan the barcode:</p><img id="kc-totp-secret-qr-code" src="${escapeHtml(qr)}" alt="Figure: Barcode"></li>
<li><p>Unable to scan? Enter the following key in the application:</p><p><span id="kc-totp-secret-key">${escapeHtml(groupedKey(secret))}</span></p>
<ul><li id="kc-totp-type">Type: ${settings.otpPolicyType === 'hotp' ? 'Counter-based' : 'Time-based'}</li><li id="kc-totp-algorithm">Algorithm: ${escapeHtml(settings.otpPolicyAlgorithm.replace(/^Hmac/, ''))}</li><li id="kc-totp-digits">Digits: ${settings.otpPolicyDigits}</li>${counterOrPeriod}</ul></li>
<li><p>Enter the one-time code provided by the application and click Submit to finish the setup.</p><p>Provide a Device Name to help you manage your OTP devices.</p></li>
</ol>`,
      form(
        'kc-totp-settings-form',
        actionUrl,
        [
          input({ id: 'totp', label: 'One-time code', autocomplete: 'one-time-code', autofocus: true }, message),
          `<input type="hidden" id="totpSecret" name="totpSecret" value="${escapeHtml(secret)}">`,
          input({ id: 'userLabel', label: 'Device Name', autocomplete: 'off' }, message),
          logoutSessionsBox(),
          submit('saveTOTPBtn', 'Submit'),
        ].join('\n'),
      ),
    ].join('\n');
    return { title: 'Mobile Authenticator Setup', body, status: message.status };
  },
  async submit(flow, fields) {
    const user = flow.user!;
    const secret = setupSecret(flow);
    const code = (fields.get('totp') ?? '').trim();
    const userLabel = (fields.get('userLabel') ?? '').trim();
    const values = { userLabel };
    // The page carries the secret as Keycloak's does; only the one this tab issued is accepted.
    if (fields.has('totpSecret') && fields.get('totpSecret') !== secret) return { kind: 'again', message: { error: 'Invalid Request', values } };
    if (code === '') return { kind: 'again', message: { error: 'Please specify authenticator code.', field: 'totp', values } };
    const counter = verifySetupCode(flow.ctx, flow.realm, secret, code);
    if (counter === undefined) return { kind: 'again', message: { error: 'Invalid authenticator code.', field: 'totp', values } };
    if (userLabel === '' && (await hasOtp(flow.ctx, user))) return { kind: 'again', message: { error: 'Please specify device name.', field: 'userLabel', values } };
    if (userLabel.length > MAX_LABEL) return { kind: 'again', message: { error: `Device Name must be at most ${MAX_LABEL} characters.`, field: 'userLabel', values } };
    const credential = sealCredential(newOtpCredential(newId(), secret, flow.realm.realm.settings, userLabel === '' ? undefined : userLabel, flow.ctx.clock.nowMs(), counter), flow.realm.keys.sealKey);
    delete flow.tab.notes![NOTE];
    return { kind: 'done', write: (tx) => tx.addCredential(user.id, credential), logoutOtherSessions: fields.get('logout-sessions') === 'on' };
  },
};
