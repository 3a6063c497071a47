/**
 * `POST /realms/{r}/protocol/openid-connect/logout/backchannel-logout`: an upstream identity
 * provider ends the brokered sessions of one of its users (OpenID Connect Back-Channel Logout 1.0),
 * as Keycloak's LogoutEndpoint takes it. The logout token names its issuer; the realm's enabled
 * OpenID Connect providers with that `issuer` are the candidates, and one of them must vouch for
 * the token: signature against its JWKS (when it has `validateSignature`), audience its client,
 * the back-channel logout event, no `nonce`, not expired, and `sub` (the upstream account). The
 * sessions ended are those of the local user linked to that account which came through that
 * provider, only the one upstream session when the token has a `sid`, offline ones too with
 * `revoke_offline_access`. The upstream is not called back. Keycloak's answers and error texts.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { decodeAssertion } from '../../crypto/index.ts';
import { invalidRequest } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { checkUpstreamSignature, PROVIDER_KINDS, upstreamOf, type UpstreamCall } from '../../broker/index.ts';
import type { IdentityProvider, LoadedRealm } from '../../realm/index.ts';
import type { UserSession } from '../../session/types.ts';

const PATH = '/realms/:realm/protocol/openid-connect/logout/backchannel-logout';
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const MAX_LOGOUT_TOKEN_LENGTH = 16 * 1024;
/** Clock skew allowed on the token's times, as on the upstream's ID tokens. */
const CLOCK_SKEW_SECONDS = 10;
const VERIFICATION_FAILED = 'LogoutToken verification with identity provider failed';

/** The claims checks of a logout token (OpenID Connect Back-Channel Logout 1.0, section 2.6), or why it fails. */
function claimsProblem(claims: Record<string, unknown>, clientId: string, now: number): string | undefined {
  const events = claims.events;
  if (events === null || typeof events !== 'object' || !Object.hasOwn(events, BACKCHANNEL_LOGOUT_EVENT)) return 'no back-channel logout event';
  if (claims.nonce !== undefined) return 'a logout token has no nonce';
  if (typeof claims.sub !== 'string' || claims.sub === '') return 'no sub';
  if (claims.sid !== undefined && typeof claims.sid !== 'string') return 'sid is no string';
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(clientId)) return 'audience does not name the client';
  if (typeof claims.iat !== 'number') return 'no iat';
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < now)) return 'expired';
  return undefined;
}

/** The provider that vouches for the token, or the reason none does. */
async function vouchingProvider(ctx: Context, realm: LoadedRealm, token: string, header: Record<string, unknown>, claims: Record<string, unknown>, candidates: IdentityProvider[]): Promise<IdentityProvider | string> {
  let reason = 'no candidate';
  const keys: Pick<UpstreamCall, 'keySetAt'> = { keySetAt: (url, kid) => ctx.clientKeys.keySetAt(url, kid) };
  for (const provider of candidates) {
    try {
      const upstream = upstreamOf(provider, realm.keys.sealKey);
      if (provider.config.validateSignature === 'true') await checkUpstreamSignature(token, header, upstream.jwksUrl, keys);
      const problem = claimsProblem(claims, upstream.clientId, ctx.sessions.now());
      if (problem === undefined) return provider;
      reason = `${provider.alias}: ${problem}`;
    } catch (error) {
      reason = `${provider.alias}: ${(error as Error).message}`;
    }
  }
  return reason;
}

/** The brokered sessions the token ends. */
async function sessionsToEnd(ctx: Context, realm: LoadedRealm, provider: IdentityProvider, claims: Record<string, unknown>): Promise<UserSession[]> {
  const link = await ctx.realms.repository.findFederatedIdentity(realm.realm.id, provider.alias, claims.sub as string);
  if (!link) return [];
  const events = claims.events as Record<string, unknown>;
  const kinds = events.revoke_offline_access === true ? [false, true] : [false];
  const brokerSession = typeof claims.sid === 'string' ? `${provider.alias}.${claims.sid}` : undefined;
  const found: UserSession[] = [];
  for (const offline of kinds) {
    for (const session of await ctx.store.listUserSessionsOfUser(realm.realm.id, link.userId, offline)) {
      if (session.notes?.identity_provider !== provider.alias) continue;
      if (brokerSession !== undefined && session.notes?.broker_session_id !== brokerSession) continue;
      found.push(session);
    }
  }
  return found;
}

export async function backchannelLogoutRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post(PATH, { config: { endpoint: 'logout' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request);
    let token: string | undefined;
    try {
      token = readParams(request, 'body').get('logout_token');
    } catch {
      throw invalidRequest('No logout token');
    }
    if (!token) throw invalidRequest('No logout token');
    const decoded = decodeAssertion(token, MAX_LOGOUT_TOKEN_LENGTH);
    if (!decoded) throw invalidRequest('The decode of the logoutToken failed');
    const candidates = [...realm.identityProviders.values()].filter((p) => p.enabled && PROVIDER_KINDS.get(p.providerId)?.openIdConnect === true && p.config.issuer !== undefined && p.config.issuer === decoded.claims.iss);
    if (candidates.length === 0) throw invalidRequest('No Identity Provider has been found');
    const provider = await vouchingProvider(ctx, realm, token, decoded.header, decoded.claims, candidates);
    if (typeof provider === 'string') {
      request.log.info({ reason: provider }, 'back-channel logout token refused');
      throw invalidRequest(VERIFICATION_FAILED);
    }
    for (const session of await sessionsToEnd(ctx, realm, provider, decoded.claims)) {
      if (!(await ctx.sessions.end(session))) continue;
      ctx.logoutNotifier.sessionEnded(realm, issuer, session, new Set(), { upstream: false });
      ctx.events.recorder.user(realm, 'LOGOUT', request).user(session.userId).session(session.id).detail('identity_provider', provider.alias).success();
    }
    return reply.header('cache-control', 'no-store').code(200).send();
  });
}
