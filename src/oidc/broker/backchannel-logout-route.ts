/**
 * `POST /realms/{r}/protocol/openid-connect/logout/backchannel-logout`: an upstream identity
 * provider ends brokered sessions (OpenID Connect Back-Channel Logout 1.0), as Keycloak 26.7's
 * LogoutEndpoint takes it. The logout token names its issuer; the realm's enabled OpenID Connect
 * providers with that `issuer` are the candidates, and one of them must vouch for the token:
 * signature against its JWKS (when it has `validateSignature`), audience its client, not expired.
 * Then, in Keycloak's order and with its texts: a `sid` or a `sub`, the back-channel logout event,
 * no `nonce`, a `jti`, an `iat`. With a `sid` the sessions ended are those whose broker session
 * id is `{alias}.{sid}` (found through the broker session index, whether or not the token has a
 * `sub`); with only a `sub`, every session of the local user linked to that upstream account that
 * came through that provider. Offline ones too with `revoke_offline_access`. The upstream is not
 * called back.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { decodeAssertion } from '../../crypto/index.ts';
import { invalidRequest } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { checkUpstreamSignature, PROVIDER_KINDS, upstreamOf, type UpstreamCall } from '../../broker/index.ts';
import type { IdentityProvider, LoadedRealm } from '../../realm/index.ts';
import { brokerSessionUser, type UserSession } from '../../session/index.ts';

const PATH = '/realms/:realm/protocol/openid-connect/logout/backchannel-logout';
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const MAX_LOGOUT_TOKEN_LENGTH = 16 * 1024;
/** Clock skew allowed on the token's times, as on the upstream's ID tokens. */
const CLOCK_SKEW_SECONDS = 10;
const VERIFICATION_FAILED = 'LogoutToken verification with identity provider failed';

/** What a provider checks of the token besides its signature: its audience and expiry. */
function providerProblem(claims: Record<string, unknown>, clientId: string, now: number): string | undefined {
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(clientId)) return 'audience does not name the client';
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < now)) return 'expired';
  return undefined;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The claims checks of a vouched-for logout token, in Keycloak's order, with its error texts. */
function claimsProblem(claims: Record<string, unknown>): string | undefined {
  if (!nonEmpty(claims.sub) && !nonEmpty(claims.sid)) return 'Missing sid or sub claim';
  const events = claims.events;
  if (events === null || typeof events !== 'object' || !Object.hasOwn(events, BACKCHANNEL_LOGOUT_EVENT)) return 'The LogoutToken event claim is not as expected';
  if (claims.nonce !== undefined) return 'The LogoutToken contains a nonce claim which is not allowed';
  if (!nonEmpty(claims.jti)) return 'The logoutToken jti is missing';
  if (typeof claims.iat !== 'number') return "The LogoutToken doesn't contain an iat claim";
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
      const problem = providerProblem(claims, upstream.clientId, ctx.sessions.now());
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
  const brokerSession = nonEmpty(claims.sid) ? `${provider.alias}.${claims.sid}` : undefined;
  const users = new Set<string>();
  if (nonEmpty(claims.sub)) {
    const link = await ctx.realms.repository.findFederatedIdentity(realm.realm.id, provider.alias, claims.sub);
    if (link) users.add(link.userId);
  }
  if (brokerSession !== undefined) {
    // A sid names the broker session whoever the token says its user is (Keycloak: by broker session id).
    const holder = await brokerSessionUser(ctx.store, realm.realm.id, brokerSession, ctx.sessions.now());
    if (holder !== undefined) users.add(holder);
  }
  const events = claims.events as Record<string, unknown>;
  const kinds = events.revoke_offline_access === true ? [false, true] : [false];
  const found: UserSession[] = [];
  for (const userId of users) {
    for (const offline of kinds) {
      for (const session of await ctx.store.listUserSessionsOfUser(realm.realm.id, userId, offline)) {
        if (session.notes?.identity_provider !== provider.alias) continue;
        if (brokerSession !== undefined && session.notes?.broker_session_id !== brokerSession) continue;
        found.push(session);
      }
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
    const problem = claimsProblem(decoded.claims);
    if (problem !== undefined) throw invalidRequest(problem);
    for (const session of await sessionsToEnd(ctx, realm, provider, decoded.claims)) {
      if (!(await ctx.sessions.end(session))) continue;
      ctx.logoutNotifier.sessionEnded(realm, issuer, session, new Set(), { upstream: false });
      ctx.events.recorder.user(realm, 'LOGOUT', request).user(session.userId).session(session.id).detail('identity_provider', provider.alias).success();
    }
    return reply.header('cache-control', 'no-store').code(200).send();
  });
}
