/**
 * The device authorization endpoint (`POST …/protocol/openid-connect/auth/device`, RFC 8628
 * §3.1), in Keycloak's order: the client authenticates as at the token endpoint (a public client
 * names itself), must have the grant enabled, and its `scope` and PKCE parameters are checked as
 * at the authorization endpoint. The answer carries a new device code (32 random bytes) and user
 * code, stored durably (device-records.ts).
 *
 * Bounded: every stored parameter has Keycloak's length bound, a client gets at most
 * DEVICE_CODES_PER_CLIENT new codes per minute across the cluster (so its live codes stay below
 * that times the lifespan in minutes), and the endpoint counts in the token endpoint's rate limits.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret } from '../../crypto/index.ts';
import { OAuthError, invalidGrant, invalidRequest, invalidScope, unauthorizedClient } from '../../errors/index.ts';
import { readParams, type Form } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { allowCors } from '../../http/cors.ts';
import { scopeGrantOf, type Client, type LoadedRealm } from '../../realm/index.ts';
import { recordFailure } from '../../events/index.ts';
import { authenticateClientFor } from '../client-auth/index.ts';
import { MAX_PARAM_LENGTH } from '../param-lengths.ts';
import { grantScopes } from '../tokens/index.ts';
import { countAttempt, type AttemptLimit } from './attempt-window.ts';
import { putDeviceCode, userCodeKey, type DeviceCodeRecord } from './device-records.ts';
import { deviceCodeLifespan, deviceGrantEnabled, devicePollingInterval } from './device-settings.ts';
import { displayUserCode, newUserCode } from './user-code.ts';
import { verificationUri } from './verification-page.ts';

export const DEVICE_AUTHORIZATION_PATH = '/realms/:realm/protocol/openid-connect/auth/device';

/** New device codes per client per minute, cluster-wide. */
export const DEVICE_CODES_PER_CLIENT: AttemptLimit = { limit: 1000, windowSeconds: 60 };
/** Draws of a user code that is not in use; 26^8 codes make a second draw already rare. */
const USER_CODE_DRAWS = 5;
const CHALLENGE_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;
const BOUNDED_PARAMS = ['scope', 'nonce', 'code_challenge', 'code_challenge_method'];

const NOT_ENABLED = 'Client is not allowed to initiate OAuth 2.0 Device Authorization Grant. The flow is disabled for the client.';

/**
 * Keycloak answers a request it cannot parse (a repeated parameter) with `invalid_grant`; an
 * over-long parameter it drops by default, where holdfast refuses it in the same way
 * (param-lengths.ts says why).
 */
function readRequest(request: FastifyRequest): Form {
  let form: Form;
  try {
    form = readParams(request);
  } catch (error) {
    if (error instanceof OAuthError && error.error === 'invalid_request' && error.status === 400) throw invalidGrant(error.description);
    throw error;
  }
  return form;
}

function checkLengths(form: Form): void {
  for (const name of BOUNDED_PARAMS) {
    if ((form.get(name)?.length ?? 0) > MAX_PARAM_LENGTH) throw invalidGrant(`The size of OIDC parameter '${name}' is longer than allowed.`);
  }
}

/** PKCE parameters in Keycloak's order and words (checked against Keycloak 26.7's device endpoint). */
function checkPkce(client: Client, form: Form): Pick<DeviceCodeRecord, 'codeChallenge' | 'codeChallengeMethod'> {
  const challenge = form.get('code_challenge');
  const method = form.get('code_challenge_method');
  const required = client.attributes['pkce.code.challenge.method'];
  if (required) {
    if (method === undefined) throw invalidRequest('Missing parameter: code_challenge_method');
    if (challenge === undefined) throw invalidRequest('Missing parameter: code_challenge');
    if (method !== required) throw invalidRequest('Invalid parameter: code challenge method is not matching the configured one');
  } else {
    if (challenge === undefined) {
      if (method !== undefined) throw invalidRequest('Missing parameter: code_challenge');
      return {};
    }
    if (method !== undefined && method !== 'plain' && method !== 'S256') throw invalidRequest('Invalid parameter: code_challenge_method');
  }
  if (!CHALLENGE_SHAPE.test(challenge)) throw invalidRequest('Invalid parameter: code_challenge');
  return { codeChallenge: challenge, codeChallengeMethod: (method ?? 'plain') as 'plain' | 'S256' };
}

function checkScope(realm: LoadedRealm, client: Client, form: Form): string {
  const scope = form.get('scope');
  grantScopes(scopeGrantOf(realm, client), scope);
  return scope ?? '';
}

async function storeCodes(ctx: Context, realm: LoadedRealm, record: Omit<DeviceCodeRecord, 'userCodeKey'>): Promise<{ deviceCode: string; userCode: string }> {
  const deviceCode = newSecret(32);
  for (let draw = 0; draw < USER_CODE_DRAWS; draw++) {
    const userCode = newUserCode();
    if (await putDeviceCode(ctx, deviceCode, { ...record, userCodeKey: userCodeKey(realm.realm.id, userCode) })) return { deviceCode, userCode };
  }
  throw new OAuthError(503, 'temporarily_unavailable', 'No free user code, try again', { 'retry-after': '1' });
}

export async function handleDeviceAuthorization(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  reply.headers({ 'cache-control': 'no-store, must-revalidate, max-age=0', pragma: 'no-cache' });
  const { realm, issuer } = await resolveRealm(ctx, request, 'oauth');
  const form = readRequest(request);
  const event = ctx.events.recorder.user(realm, 'OAUTH2_DEVICE_AUTH', request);
  const client = await authenticateClientFor(event, { ctx, realm, issuer }, request, form);
  allowCors(request, reply, client);
  try {
    if (!deviceGrantEnabled(client)) {
      event.detail('reason', NOT_ENABLED).error('not_allowed');
      throw unauthorizedClient(NOT_ENABLED);
    }
    checkLengths(form);
    let scope: string;
    try {
      scope = checkScope(realm, client, form);
    } catch {
      throw invalidScope(`Invalid scopes: ${form.get('scope') ?? ''}`);
    }
    const pkce = checkPkce(client, form);
    if (!(await countAttempt(ctx, `device-auth:${client.id}`, DEVICE_CODES_PER_CLIENT))) {
      throw new OAuthError(429, 'temporarily_unavailable', 'Too many requests', { 'retry-after': String(DEVICE_CODES_PER_CLIENT.windowSeconds) });
    }
    const expiresIn = deviceCodeLifespan(realm, client);
    const interval = devicePollingInterval(realm, client);
    const { deviceCode, userCode } = await storeCodes(ctx, realm, {
      realmId: realm.realm.id,
      clientUuid: client.id,
      clientId: client.clientId,
      scope,
      nonce: form.get('nonce'),
      ...pkce,
      expiresAt: ctx.sessions.now() + expiresIn,
      interval,
      status: 'pending',
    });
    // Keycloak records only the failures of this endpoint.
    event.discard();
    const uri = verificationUri(issuer, realm);
    return {
      device_code: deviceCode,
      user_code: displayUserCode(userCode),
      verification_uri: uri,
      verification_uri_complete: `${uri}?user_code=${displayUserCode(userCode)}`,
      expires_in: expiresIn,
      interval,
    };
  } catch (error) {
    recordFailure(event, error);
    throw error;
  }
}
