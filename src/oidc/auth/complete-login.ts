/**
 * The end of every successful browser login (form or SSO): attach the client to the session,
 * send the client what its response type asks for — a single-use authorization code (stored only
 * as a hash), and in the implicit and hybrid flows an access token and / or ID token, never a
 * refresh token — and record the LOGIN event.
 */
import type { FastifyReply } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, sha256Hex } from '../../crypto/index.ts';
import { ErrorPage } from '../../errors/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import type { AuthTab, ClientSession, UserSession } from '../../session/types.ts';
import { grantScopes, issueTokens, type GrantedScopes } from '../tokens/index.ts';
import { sendAuthorizationResponse } from './authorization-response.ts';
import { scopeGrantOf } from '../../realm/index.ts';
import { acrValue } from './acr.ts';
import { isImplicit, parseResponseType, type ResponseType } from './response-type.ts';
import { spendPushedRequest } from './pushed-requests.ts';
import { completeDeviceLogin } from '../device/index.ts';

type CompletedTab = Pick<AuthTab, 'redirectUri' | 'responseType' | 'responseMode' | 'scope' | 'state' | 'nonce' | 'codeChallenge' | 'codeChallengeMethod' | 'dpopJkt' | 'kcAction' | 'kcActionStatus' | 'acr' | 'notes' | 'pushedRequest' | 'device'>;

/** LOGIN's `consent` detail: granted on this login's consent screen (the step notes it), stored before, or not asked. */
function consentDetail(client: Client, tab: CompletedTab): string {
  return tab.notes?.consent ?? (client.consentRequired ? 'persistent_consent' : 'no_consent_required');
}

interface Completion {
  ctx: Context;
  realm: LoadedRealm;
  issuer: string;
  client: Client;
  tab: CompletedTab;
  session: UserSession;
  acr: string;
}

async function issueCode({ ctx, realm, client, tab, session, acr }: Completion): Promise<string> {
  const code = newSecret(32);
  await ctx.store.putCode({
    codeHash: sha256Hex(code),
    realmId: realm.realm.id,
    clientUuid: client.id,
    userSessionId: session.id,
    redirectUri: tab.redirectUri,
    scope: tab.scope,
    nonce: tab.nonce,
    codeChallenge: tab.codeChallenge,
    codeChallengeMethod: tab.codeChallengeMethod,
    dpopJkt: tab.dpopJkt,
    authTime: session.authTime,
    acr,
    expiresAt: ctx.sessions.now() + realm.realm.settings.accessCodeLifespan,
  });
  return code;
}

/** The implicit or hybrid part of the response: `id_token`, `access_token`, `token_type`, `expires_in`. */
async function issueFrontChannelTokens(
  completion: Completion,
  type: ResponseType,
  scopes: GrantedScopes,
  clientSession: ClientSession,
  code: string | undefined,
): Promise<Record<string, string | undefined>> {
  const { ctx, realm, issuer, client, tab, session, acr } = completion;
  const user = await ctx.realms.getUserView(realm, session.userId);
  if (!user || !user.user.enabled) throw new ErrorPage(400, 'Account is disabled, contact your administrator.');
  const { response } = await issueTokens({
    realm,
    issuer,
    client,
    user,
    session,
    clientSession,
    scopes,
    grant: 'na',
    nonce: tab.nonce,
    authTime: session.authTime,
    acr,
    now: ctx.sessions.now(),
    includeRefreshToken: false,
    implicitFlow: isImplicit(type),
    frontChannel: { idToken: type.idToken, accessToken: type.token, code, state: tab.state },
  });
  return {
    id_token: response.id_token,
    ...(type.token ? { access_token: response.access_token, token_type: response.token_type, expires_in: String(response.expires_in) } : {}),
  };
}

/** `level`: the level of authentication reached, "1" after a real login and "0" from the SSO cookie. */
export async function completeLogin(
  ctx: Context,
  reply: FastifyReply,
  realm: LoadedRealm,
  issuer: string,
  client: Client,
  tab: CompletedTab,
  session: UserSession,
  level: '0' | '1',
): Promise<FastifyReply> {
  // A device's login ends with its approval page, not with a response to a redirect URI.
  if (tab.device) return completeDeviceLogin(ctx, reply, realm, issuer, client, tab.device, session, level);
  const settings = realm.realm.settings;
  // A pushed request completes one login: a second one racing with the same request_uri stops here.
  if (tab.pushedRequest && !(await spendPushedRequest(ctx, tab.pushedRequest, ctx.sessions.now() + settings.accessCodeLifespanLogin))) {
    throw new ErrorPage(400, 'Invalid Request');
  }
  const scopes = grantScopes(scopeGrantOf(realm, client), tab.scope);
  const clientSession = await ctx.sessions.attachClient(settings, session, client, scopes.value, tab.redirectUri);
  // Validated when the request came in; a tab stored by an earlier release asked for a code.
  const type = parseResponseType(tab.responseType) ?? { code: true, token: false, idToken: false, none: false };
  const completion: Completion = { ctx, realm, issuer, client, tab, session, acr: acrValue(Number(level), tab.acr, realm, client) };
  const code = type.code ? await issueCode(completion) : undefined;
  let tokens: Record<string, string | undefined> = {};
  if (type.token || type.idToken) {
    if (!clientSession) throw new ErrorPage(400, 'Session not active');
    tokens = await issueFrontChannelTokens(completion, type, scopes, clientSession, code);
  }
  const user = await ctx.realms.getUserView(realm, session.userId);
  ctx.events.recorder
    .user(realm, 'LOGIN', reply.request)
    .client(client.clientId)
    .user(session.userId)
    .session(session.id)
    .detail('auth_method', 'openid-connect')
    .detail('auth_type', type.code ? 'code' : 'implicit')
    .detail('redirect_uri', tab.redirectUri)
    .detail('consent', consentDetail(client, tab))
    .detail('code_id', session.id)
    .detail('username', user?.user.username)
    // A brokered login says through which provider, as Keycloak's LOGIN event does.
    .detail('identity_provider', session.notes?.identity_provider)
    .detail('identity_provider_identity', session.notes?.identity_provider_identity)
    .success();
  return sendAuthorizationResponse(reply, tab, {
    state: tab.state,
    session_state: client.attributes['exclude.session.state.from.auth.response'] === 'true' ? undefined : session.id,
    iss: client.attributes['exclude.issuer.from.auth.response'] === 'true' ? undefined : issuer,
    // An application-initiated action: done, cancelled, or (not an enabled required action) Keycloak's `error`.
    kc_action: tab.kcAction,
    kc_action_status: tab.kcAction !== undefined ? (tab.kcActionStatus ?? 'error') : undefined,
    code,
    ...tokens,
  });
}
