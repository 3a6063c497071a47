/**
 * The pages a person sees on the device's behalf, with the element ids and English texts of
 * Keycloak's login theme: the user-code entry page (`/realms/{realm}/device`, Keycloak's
 * login-oauth2-device-verify-user-code page) and the outcome page (`…/device/status`, its info
 * page). Each page's texts are one table named by Keycloak's message keys.
 */
import type { FastifyReply } from 'fastify';
import { alerts, form, input, submit, title } from '../../authn/step-pages.ts';
import { PAGE_HEADERS, escapeHtml, page } from '../../http/html.ts';
import type { LoadedRealm } from '../../realm/index.ts';

/** Texts of the user-code entry page. */
export const VERIFY_USER_CODE_MESSAGES = {
  oauth2DeviceVerificationTitle: 'Device Login',
  verifyOAuth2DeviceUserCode: 'Enter the code provided by your device and click Submit',
  doSubmit: 'Submit',
  oauth2DeviceInvalidUserCodeMessage: 'Invalid code, please try again.',
  oauth2DeviceExpiredUserCodeMessage: 'The code has expired. Please go back to your device and try connecting again.',
  tooManyAttempts: 'Too many invalid codes. Please wait a moment and try again.',
} as const;

/** Texts of the outcome page. */
export const DEVICE_STATUS_MESSAGES = {
  oauth2DeviceVerificationCompleteHeader: 'Device Login Successful',
  oauth2DeviceVerificationCompleteMessage: 'You may close this browser window and go back to your device.',
  oauth2DeviceVerificationFailedHeader: 'Device Login Failed',
  oauth2DeviceVerificationFailedMessage: 'You may close this browser window and go back to your device and try connecting again.',
  oauth2DeviceConsentDeniedMessage: 'Consent denied for connecting the device.',
  oauth2DeviceExpiredUserCodeMessage: VERIFY_USER_CODE_MESSAGES.oauth2DeviceExpiredUserCodeMessage,
  proceedWithAction: '» Click here to proceed',
} as const;

/** Keycloak's realm attribute for a shorter public address of the entry page. */
const SHORT_VERIFICATION_URI = 'shortVerificationUri';

export function verificationUri(issuer: string, realm: LoadedRealm): string {
  const short = realm.realm.settings.attributes[SHORT_VERIFICATION_URI];
  return short ? short : `${issuer}/device`;
}

export type UserCodeError = 'oauth2DeviceInvalidUserCodeMessage' | 'oauth2DeviceExpiredUserCodeMessage' | 'tooManyAttempts';

export function sendVerifyUserCodePage(reply: FastifyReply, issuer: string, error?: UserCodeError, status = 200): FastifyReply {
  const m = VERIFY_USER_CODE_MESSAGES;
  const message = error ? { error: m[error] } : {};
  const body = [
    title(m.oauth2DeviceVerificationTitle),
    alerts(message),
    form(
      'kc-user-verify-device-user-code-form',
      `${issuer}/device`,
      [input({ id: 'device_user_code', label: m.verifyOAuth2DeviceUserCode, autocomplete: 'off', autofocus: true }, {}), submit('kc-login', m.doSubmit)].join('\n'),
    ),
  ].join('\n');
  return reply.code(status).headers(PAGE_HEADERS).send(page(m.oauth2DeviceVerificationTitle, body));
}

function infoPage(heading: string, text: string, restartUrl?: string): string {
  const link = restartUrl ? `\n<p><a href="${escapeHtml(restartUrl)}">${escapeHtml(DEVICE_STATUS_MESSAGES.proceedWithAction)}</a></p>` : '';
  return page(heading, `${title(heading)}\n<div id="kc-info-message">\n<p class="instruction">${escapeHtml(text)}</p>${link}\n</div>`);
}

/** `error` as the status URL carries it: none for success, `access_denied`, `expired_token` or another failure. */
export function sendDeviceStatusPage(reply: FastifyReply, issuer: string, error: string | undefined): FastifyReply {
  const m = DEVICE_STATUS_MESSAGES;
  reply.code(200).headers(PAGE_HEADERS);
  if (error === undefined || error === '') return reply.send(infoPage(m.oauth2DeviceVerificationCompleteHeader, m.oauth2DeviceVerificationCompleteMessage));
  const text = error === 'access_denied' ? m.oauth2DeviceConsentDeniedMessage : error === 'expired_token' ? m.oauth2DeviceExpiredUserCodeMessage : m.oauth2DeviceVerificationFailedMessage;
  return reply.send(infoPage(m.oauth2DeviceVerificationFailedHeader, text, `${issuer}/device`));
}

/** Where the device login ends: the outcome page, with Keycloak's `error` when it failed. */
export function statusUrl(issuer: string, error?: 'access_denied' | 'expired_token' | 'server_error'): string {
  return `${issuer}/device/status${error ? `?error=${error}` : ''}`;
}
