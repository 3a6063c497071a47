/**
 * The pages a person sees on the device's behalf, as templates of the login theme with
 * Keycloak's element ids and message keys: the user-code entry page (`/realms/{realm}/device`, Keycloak's
 * login-oauth2-device-verify-user-code page) and the outcome page (`…/device/status`, its info
 * page, `info`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import { sendPage } from '../../theme/index.ts';

/** Keycloak's realm attribute for a shorter public address of the entry page. */
const SHORT_VERIFICATION_URI = 'shortVerificationUri';

export function verificationUri(issuer: string, realm: LoadedRealm): string {
  const short = realm.realm.settings.attributes[SHORT_VERIFICATION_URI];
  return short ? short : `${issuer}/device`;
}

export type UserCodeError = 'oauth2DeviceInvalidUserCodeMessage' | 'oauth2DeviceExpiredUserCodeMessage' | 'tooManyAttempts';

/** Where and for whom a device page is shown. */
export interface DevicePageScope {
  ctx: Context;
  request: FastifyRequest;
  realm: LoadedRealm;
}

export function sendVerifyUserCodePage({ ctx, request, realm }: DevicePageScope, reply: FastifyReply, issuer: string, error?: UserCodeError, status = 200): Promise<FastifyReply> {
  return sendPage(ctx, reply, { request, realm }, { template: 'login-oauth2-device-verify-user-code', title: 'oauth2DeviceVerificationTitle', data: { action: `${issuer}/device` }, message: error ? { error } : {}, status });
}

/** `error` as the status URL carries it: none for success, `access_denied`, `expired_token` or another failure. */
export function sendDeviceStatusPage({ ctx, request, realm }: DevicePageScope, reply: FastifyReply, issuer: string, error: string | undefined): Promise<FastifyReply> {
  const scope = { request, realm };
  if (error === undefined || error === '') return sendPage(ctx, reply, scope, { template: 'info', title: 'oauth2DeviceVerificationCompleteHeader', data: { text: 'oauth2DeviceVerificationCompleteMessage' } });
  const text = error === 'access_denied' ? 'oauth2DeviceConsentDeniedMessage' : error === 'expired_token' ? 'oauth2DeviceExpiredUserCodeMessage' : 'oauth2DeviceVerificationFailedMessage';
  return sendPage(ctx, reply, scope, { template: 'info', title: 'oauth2DeviceVerificationFailedHeader', data: { text, actionUri: `${issuer}/device` } });
}

/** Where the device login ends: the outcome page, with Keycloak's `error` when it failed. */
export function statusUrl(issuer: string, error?: 'access_denied' | 'expired_token' | 'server_error'): string {
  return `${issuer}/device/status${error ? `?error=${error}` : ''}`;
}
