/**
 * The device authorization grant's browser and device endpoints (RFC 8628, as Keycloak 26
 * serves them): `POST …/protocol/openid-connect/auth/device` for the device, and for the person
 * `GET|POST /realms/{realm}/device` (the user-code entry), `POST …/device/consent` (approval) and
 * `GET …/device/status` (the outcome). The token endpoint's side is
 * src/oidc/token/grants/device-code.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { ErrorPage, OAuthError } from '../../errors/index.ts';
import { readParams, type Form } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { registerPreflight } from '../../http/cors.ts';
import { DEVICE_AUTHORIZATION_PATH, handleDeviceAuthorization } from './device-authorization.ts';
import { DEVICE_CONSENT_PATH, submitDeviceApproval } from './device-approval.ts';
import { sendDeviceStatusPage } from './verification-page.ts';
import { verifyUserCode } from './verify-user-code.ts';

export { completeDeviceLogin, cancelDeviceLogin } from './device-approval.ts';
export { deviceGrantEnabled } from './device-settings.ts';
export { findByDeviceCode, notePoll, redeemDeviceCode, type StoredDeviceCode } from './device-records.ts';
export { DEVICE_AUTHORIZATION_PATH } from './device-authorization.ts';

const VERIFICATION_PATH = '/realms/:realm/device';

/** A page's parameters; a malformed request gets the error page rather than a JSON error. */
function pageParams(read: () => Form): Form {
  try {
    return read();
  } catch (error) {
    if (error instanceof OAuthError) throw new ErrorPage(400, 'Invalid Request');
    throw error;
  }
}

export async function deviceRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  registerPreflight(app, DEVICE_AUTHORIZATION_PATH, 'POST, OPTIONS');
  app.post(DEVICE_AUTHORIZATION_PATH, { config: { endpoint: 'device-authorization' } }, (request, reply) => handleDeviceAuthorization(ctx, request, reply));

  app.get(VERIFICATION_PATH, { config: { endpoint: 'device' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const query = pageParams(() => readParams(request, 'query'));
    return verifyUserCode(ctx, request, reply, realm, issuer, query.get('user_code'));
  });

  app.post(VERIFICATION_PATH, { config: { endpoint: 'device' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const form = pageParams(() => readParams(request));
    if (form.get('cancel') !== undefined) return sendDeviceStatusPage({ ctx, request, realm }, reply, issuer, 'access_denied');
    return verifyUserCode(ctx, request, reply, realm, issuer, form.get('device_user_code'));
  });

  app.post(DEVICE_CONSENT_PATH, { config: { endpoint: 'device' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const form = pageParams(() => readParams(request));
    return submitDeviceApproval(ctx, request, reply, realm, issuer, form);
  });

  app.get(`${VERIFICATION_PATH}/status`, { config: { endpoint: 'device' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const error = pageParams(() => readParams(request, 'query')).get('error');
    // Only Keycloak's outcomes are named; anything else reads as a failure.
    return sendDeviceStatusPage({ ctx, request, realm }, reply, issuer, error === undefined ? undefined : error === 'access_denied' || error === 'expired_token' ? error : 'server_error');
  });
}
