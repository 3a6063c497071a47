/**
 * The end of a device login: once the person has logged in (or came with an SSO session), the
 * approval page asks whether the device may have access (Keycloak's consent page, which a device
 * login always shows when something is to be shown), and the answer settles the device code:
 * approved with the session the tokens will come from, or denied. Either way the browser goes to
 * the outcome page. The page is the theme's `login-oauth2-device-grant` template.
 *
 * The approval form is bound to the browser twice over: its `code` is a single-use secret stored
 * for `accessCodeLifespanUserAction` seconds, and it is taken only from the browser whose SSO
 * cookie names the session that logged in (a cross-site form knows neither).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, sha256Hex } from '../../crypto/index.ts';
import { ErrorPage } from '../../errors/index.ts';
import type { Form } from '../../http/form.ts';
import { resolveConsentText } from '../../consent/index.ts';
import { scopeGrantOf, type Client, type ClientScope, type LoadedRealm } from '../../realm/index.ts';
import type { AuthTab, UserSession } from '../../session/types.ts';
import { sendPage, type ThemePage } from '../../theme/index.ts';
import { readSsoSession } from '../auth/sso-cookies.ts';
import { grantScopes } from '../tokens/index.ts';
import { findByUserCodeKey, settleDeviceCode } from './device-records.ts';
import { statusUrl } from './verification-page.ts';

export const DEVICE_CONSENT_PATH = '/realms/:realm/device/consent';
const MAX_CONSENT_CODE = 64;

interface PendingApproval {
  userCodeKey: string;
  userSessionId: string;
  clientUuid: string;
  acr: string;
}

const approvalKey = (code: string): string => `device-consent:${sha256Hex(code)}`;

/** A consent text as configured (`${profileScopeConsentText}` or a literal); the page resolves it in its language. */
function consentText(text: string | undefined, fallback: string): string {
  return text ? text : fallback;
}

/** What the page lists: the client when it asks to be shown, then each granted scope shown on consent screens. */
export function consentItems(realm: LoadedRealm, client: Client, scope: string): string[] {
  const grant = scopeGrantOf(realm, client);
  const names = grantScopes(grant, scope).names;
  const byName = new Map<string, ClientScope>([...grant.defaults.map((s) => [s.name, s] as const), ...grant.optional]);
  const items: string[] = [];
  if (client.attributes['display.on.consent.screen'] === 'true') items.push(consentText(client.attributes['consent.screen.text'], client.name || client.clientId));
  for (const name of names) {
    const clientScope = byName.get(name);
    if (clientScope?.attributes['display.on.consent.screen'] === 'true') items.push(consentText(clientScope.attributes['consent.screen.text'], clientScope.name));
  }
  return items;
}

function approvalPage(issuer: string, client: Client, items: string[], code: string): ThemePage {
  const clientName = client.name || client.clientId;
  return {
    template: 'login-oauth2-device-grant',
    title: { key: 'oauthGrantTitle', params: [resolveConsentText(clientName)] },
    data: { action: `${issuer}/device/consent`, clientName, scopes: items, code },
  };
}

async function approve(ctx: Context, request: FastifyRequest, realm: LoadedRealm, issuer: string, client: Client, approval: PendingApproval, session: UserSession, consent: 'consent_granted' | 'no_consent_required'): Promise<string> {
  const stored = await findByUserCodeKey(ctx, approval.userCodeKey);
  if (!stored || stored.record.clientUuid !== client.id || ctx.sessions.now() > stored.record.expiresAt) return statusUrl(issuer, 'expired_token');
  let scopes;
  try {
    scopes = grantScopes(scopeGrantOf(realm, client), stored.record.scope);
  } catch {
    // The client's scopes changed while the page was open.
    return statusUrl(issuer, 'server_error');
  }
  await ctx.sessions.attachClient(realm.realm.settings, session, client, scopes.value);
  if (!(await settleDeviceCode(ctx, stored, { status: 'approved', userSessionId: session.id, acr: approval.acr }))) return statusUrl(issuer, 'expired_token');
  (await loginEvent(ctx, request, realm, client, session)).detail('consent', consent).success();
  return statusUrl(issuer);
}

/** The LOGIN event of a device login, with the details Keycloak gives it. */
async function loginEvent(ctx: Context, request: FastifyRequest, realm: LoadedRealm, client: Client, session: UserSession) {
  const user = await ctx.realms.getUserView(realm, session.userId);
  return ctx.events.recorder
    .user(realm, 'LOGIN', request)
    .client(client.clientId)
    .user(session.userId)
    .session(session.id)
    .detail('auth_method', 'openid-connect')
    .detail('response_type', 'code')
    .detail('response_mode', 'query')
    .detail('remember_me', String(session.rememberMe))
    .detail('code_id', session.id)
    .detail('username', user?.user.username);
}

async function deny(ctx: Context, request: FastifyRequest, realm: LoadedRealm, issuer: string, client: Client, approval: Pick<PendingApproval, 'userCodeKey'>, session: UserSession): Promise<string> {
  const stored = await findByUserCodeKey(ctx, approval.userCodeKey);
  const denied = stored !== undefined && (await settleDeviceCode(ctx, stored, { status: 'denied' }));
  (await loginEvent(ctx, request, realm, client, session)).error('rejected_by_user');
  return statusUrl(issuer, denied ? 'access_denied' : 'expired_token');
}

/**
 * Called where a browser login would send its code: shows the approval page, or approves at once
 * when there is nothing to show. `level` is the login's level of authentication ("1" after a form login).
 */
export async function completeDeviceLogin(ctx: Context, reply: FastifyReply, realm: LoadedRealm, issuer: string, client: Client, device: NonNullable<AuthTab['device']>, session: UserSession, level: string): Promise<FastifyReply> {
  const { userCodeKey } = device;
  const approval: PendingApproval = { userCodeKey, userSessionId: session.id, clientUuid: client.id, acr: level };
  const stored = await findByUserCodeKey(ctx, userCodeKey);
  if (!stored || stored.record.status !== 'pending') return reply.redirect(statusUrl(issuer, 'expired_token'), 302);
  let items: string[];
  try {
    items = consentItems(realm, client, stored.record.scope);
  } catch {
    // The client's scopes changed since the device asked: its request cannot be granted any more.
    return reply.redirect(statusUrl(issuer, 'server_error'), 302);
  }
  if (items.length === 0) return reply.redirect(await approve(ctx, reply.request, realm, issuer, client, approval, session, 'no_consent_required'), 302);
  const code = newSecret(24);
  const now = ctx.sessions.now();
  await ctx.store.putEphemeral(approvalKey(code), JSON.stringify(approval), now + realm.realm.settings.accessCodeLifespanUserAction, now);
  return sendPage(ctx, reply, { request: reply.request, realm }, approvalPage(issuer, client, items, code));
}

/** A device login that ended before approval (a declined required action): Keycloak's failure page, the code left pending. */
export function cancelDeviceLogin(reply: FastifyReply, issuer: string): FastifyReply {
  return reply.redirect(statusUrl(issuer, 'server_error'), 302);
}

/** The approval form's answer: `accept` or `cancel`, with the page's `code`. */
export async function submitDeviceApproval(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, form: Form): Promise<FastifyReply> {
  const code = form.get('code') ?? '';
  if (code === '' || code.length > MAX_CONSENT_CODE) throw new ErrorPage(400, 'Invalid Request');
  const key = approvalKey(code);
  const now = ctx.sessions.now();
  const raw = await ctx.store.getEphemeral(key, now);
  if (raw === undefined) return reply.redirect(statusUrl(issuer, 'expired_token'), 302);
  const approval = JSON.parse(raw) as PendingApproval;
  const session = await readSsoSession(ctx, request, realm, issuer);
  if (!session || session.id !== approval.userSessionId) throw new ErrorPage(400, 'Invalid Request');
  if ((await ctx.store.takeEphemeral(key, now)) !== raw) return reply.redirect(statusUrl(issuer, 'expired_token'), 302);
  const client = realm.clientsById.get(approval.clientUuid);
  if (!client || !client.enabled) return reply.redirect(statusUrl(issuer, 'server_error'), 302);
  if (form.get('accept') !== undefined && form.get('cancel') === undefined) return reply.redirect(await approve(ctx, request, realm, issuer, client, approval, session, 'consent_granted'), 302);
  return reply.redirect(await deny(ctx, request, realm, issuer, client, approval, session), 302);
}
