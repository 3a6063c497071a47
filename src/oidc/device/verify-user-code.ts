/**
 * The user-code entry page (`GET /realms/{realm}/device`, and its form's `POST`) as Keycloak's
 * DeviceEndpoint handles it: without a code the entry page; with one (typed, or from
 * `verification_uri_complete`) the code is looked up and the device's login starts in this
 * browser, through the ordinary login (SSO cookie, password, OTP, required actions) and then
 * the approval page (device-approval.ts). `cancel` in the form shows the "consent denied" page.
 *
 * The form needs no CSRF token: what it does is exactly what a link with `?user_code=` does.
 * Guessing is bounded: wrong codes are counted per client network across the cluster, and past
 * WRONG_CODES_PER_NETWORK in a window the page refuses (429) before looking a code up.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, sha256Hex } from '../../crypto/index.ts';
import { clientNetwork } from '../../http/client-network.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import type { AuthTab } from '../../session/types.ts';
import { readSsoSession } from '../auth/sso-cookies.ts';
import { openTab } from '../login/auth-session.ts';
import { sendLoginPage } from '../login/login-page.ts';
import { attemptsExhausted, countAttempt, type AttemptLimit } from './attempt-window.ts';
import { completeDeviceLogin } from './device-approval.ts';
import { findByUserCodeKey, userCodeKey } from './device-records.ts';
import { sendVerifyUserCodePage, type UserCodeError } from './verification-page.ts';
import { normalizeUserCode } from './user-code.ts';

/** Wrong user codes one client network may enter per window before the page refuses. */
export const WRONG_CODES_PER_NETWORK: AttemptLimit = { limit: 20, windowSeconds: 600 };

const missesKey = (realm: LoadedRealm, request: FastifyRequest): string => `device-code-misses:${sha256Hex(`${realm.realm.id}:${clientNetwork(request)}`)}`;

export async function verifyUserCode(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, input: string | undefined): Promise<FastifyReply> {
  if (input === undefined || input === '') return sendVerifyUserCodePage({ ctx, request, realm }, reply, issuer);
  const event = ctx.events.recorder.user(realm, 'OAUTH2_DEVICE_VERIFY_USER_CODE', request);
  const misses = missesKey(realm, request);
  const refuse = async (message: UserCodeError, reason: string): Promise<FastifyReply> => {
    event.detail('reason', reason).error('invalid_oauth2_user_code');
    if (message === 'oauth2DeviceInvalidUserCodeMessage') await countAttempt(ctx, misses, WRONG_CODES_PER_NETWORK);
    return sendVerifyUserCodePage({ ctx, request, realm }, reply, issuer, message);
  };
  if (await attemptsExhausted(ctx, misses, WRONG_CODES_PER_NETWORK)) {
    event.detail('reason', 'too many invalid user codes').error('invalid_oauth2_user_code');
    reply.header('retry-after', String(WRONG_CODES_PER_NETWORK.windowSeconds));
    return sendVerifyUserCodePage({ ctx, request, realm }, reply, issuer, 'tooManyAttempts', 429);
  }
  const userCode = normalizeUserCode(input);
  const key = userCode === undefined ? undefined : userCodeKey(realm.realm.id, userCode);
  const stored = key === undefined ? undefined : await findByUserCodeKey(ctx, key);
  if (!stored || key === undefined || stored.record.realmId !== realm.realm.id) return refuse('oauth2DeviceInvalidUserCodeMessage', 'device code not found (it may already have been used)');
  const { record } = stored;
  if (record.status === 'approved') return refuse('oauth2DeviceInvalidUserCodeMessage', 'device code already used and not yet deleted');
  if (record.status === 'denied') return refuse('oauth2DeviceInvalidUserCodeMessage', 'device code denied');
  const now = ctx.sessions.now();
  if (now > record.expiresAt) return refuse('oauth2DeviceExpiredUserCodeMessage', 'device code expired');
  const client = realm.clientsById.get(record.clientUuid);
  if (!client || !client.enabled) return refuse('oauth2DeviceInvalidUserCodeMessage', 'client not found or disabled');

  event.client(client.clientId).detail('scope', record.scope || undefined).success();
  const tab: AuthTab = {
    clientId: client.clientId,
    redirectUri: '',
    responseType: 'code',
    responseMode: 'query',
    scope: record.scope,
    nonce: record.nonce,
    sessionCode: newSecret(16),
    createdAt: now,
    device: { userCodeKey: key },
  };
  const sso = await readSsoSession(ctx, request, realm, issuer);
  if (sso) {
    const user = await ctx.realms.getUserView(realm, sso.userId);
    if (user?.user.enabled && user.user.requiredActions.length === 0) return completeDeviceLogin(ctx, reply, realm, issuer, client, { userCodeKey: key }, sso, '0');
  }
  const { tabId } = await openTab(ctx, request, reply, realm, issuer, tab);
  return sendLoginPage(ctx, request, reply, realm, issuer, tabId, tab);
}
