/**
 * Keycloak's "Verify Existing Account by Email" (`idp-email-verification`), tried before the
 * password re-authentication once the user chose to add the upstream account to an existing one:
 * a realm that can send mail sends the existing account's address a single-use link (an
 * `idp-verify-account-via-email` action token bound to the account, its address, this login and
 * the upstream account). Opened in this browser, the link links the accounts and the login goes
 * on without the password, as Keycloak's email alternative does (the mail proved ownership); opened
 * in another browser, it marks this login, whose "Continue here" then links them. "Try another
 * way" goes to the password instead, as does a realm without SMTP or an account without an address.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actionTokenLifespan, actionTokenLink, issueActionToken, type ActionTokenClaims } from '../../action-tokens/index.ts';
import type { Context } from '../../context.ts';
import { ErrorPage } from '../../errors/index.ts';
import { linkExpiration, renderMail, smtpConfig } from '../../mail/index.ts';
import { authSessionIdFromCookie, loadAuthSession } from '../../oidc/login/auth-session.ts';
import type { LoadedRealm, User } from '../../realm/index.ts';
import { sendPage } from '../../theme/index.ts';
import { continueLogin, type LoginRun } from '../login-engine.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';
import { linkExisting, passAuthenticators, providerOf } from './brokered-login.ts';
import { existingUserId, linkConfirmed, linkMail, pendingIdentity } from './pending-identity.ts';

const TOKEN_TYPE = 'idp-verify-account-via-email';
const EXPIRED = 'Your login attempt timed out. Login will start from the beginning.';

async function existingAccount(flow: LoginFlow): Promise<User | undefined> {
  const id = existingUserId(flow);
  const user = id === undefined ? undefined : await flow.ctx.realms.repository.findUserById(id);
  return user && user.realmId === flow.realm.realm.id && user.enabled ? user : undefined;
}

const smtpOf = (flow: LoginFlow) => smtpConfig(flow.realm.realm.settings.smtpServer, flow.realm.keys.sealKey, flow.realm.realm.id);

/** Sends the link once per login and address (a reload does not send it again); false when it could not be sent. */
async function sendLinkMail(flow: LoginFlow, user: User): Promise<boolean> {
  const { ctx, realm, issuer, tab } = flow;
  const identity = pendingIdentity(flow)!;
  const smtp = smtpOf(flow);
  if (!smtp || !user.email || flow.tabId === undefined || flow.authSession === undefined) return false;
  if (linkMail.sentTo(tab) === user.email) return true;
  const settings = realm.realm.settings;
  const lifespan = actionTokenLifespan(settings, TOKEN_TYPE, false);
  const { token } = await issueActionToken(ctx, realm, issuer, { typ: TOKEN_TYPE, sub: user.id, eml: user.email, azp: tab.clientId, oasid: flow.authSession.id, tid: flow.tabId, idpAlias: identity.alias, idpUserId: identity.id }, lifespan);
  const locale = user.attributes.locale?.[0];
  const providerName = providerOf(flow, identity)?.displayName || identity.alias;
  const link = actionTokenLink(issuer, token, { clientId: tab.clientId, tabId: flow.tabId });
  const sent = ctx.mail.send(realm.realm.name, smtp, renderMail('identityProviderLink', user.email, [providerName, settings.displayName || realm.realm.name, identity.username ?? identity.id, link, linkExpiration(lifespan, locale)], locale));
  const event = ctx.events.recorder.user(realm, 'SEND_IDENTITY_PROVIDER_LINK', flow.request).client(tab.clientId).user(user.id).detail('identity_provider', identity.alias).detail('identity_provider_identity', identity.username).detail('email', user.email);
  if (!sent) {
    event.error('email_send_failed');
    return false;
  }
  event.success();
  linkMail.sent(tab, user.email);
  return true;
}

function linkedEvent(flow: LoginFlow, user: User): void {
  const identity = pendingIdentity(flow)!;
  flow.ctx.events.recorder.user(flow.realm, 'IDENTITY_PROVIDER_LINK_ACCOUNT', flow.request).client(flow.client.clientId).user(user.id).detail('identity_provider', identity.alias).detail('identity_provider_identity', identity.username).detail('email', user.email).success();
}

export const emailVerification: LoginStep = {
  id: 'idp-email-verification',
  kind: 'first-broker-login',
  async needed(flow) {
    if (pendingIdentity(flow) === undefined || !linkConfirmed(flow) || linkMail.declined(flow.tab) || !smtpOf(flow)) return false;
    return Boolean((await existingAccount(flow))?.email);
  },
  async page(flow, actionUrl, message) {
    const identity = pendingIdentity(flow)!;
    const user = (await existingAccount(flow))!;
    const sent = await sendLinkMail(flow, user);
    return {
      template: 'login-idp-link-email',
      title: { key: 'emailLinkIdpTitle', params: [providerOf(flow, identity)?.displayName || identity.alias] },
      data: { action: actionUrl, providerName: providerOf(flow, identity)?.displayName || identity.alias, upstreamUsername: identity.username ?? identity.id, realmName: flow.realm.realm.settings.displayName || flow.realm.realm.name },
      message: sent ? message : { ...message, error: 'emailSendErrorMessage' },
    };
  },
  async submit(flow, form) {
    if (form.get('tryAnotherWay') === 'on') {
      linkMail.decline(flow.tab);
      return { kind: 'done' };
    }
    if (form.get('submitAction') === 'resend') {
      linkMail.sent(flow.tab, undefined);
      return { kind: 'again', message: {} };
    }
    // "Continue here": the link was opened in another browser, which marked this login.
    if (!linkMail.opened(flow.tab)) return { kind: 'again', message: { info: 'emailLinkIdpNotYet' } };
    const user = await existingAccount(flow);
    if (!user) return { kind: 'again', message: { error: 'invalidUserMessage' } };
    linkedEvent(flow, user);
    const outcome = await linkExisting(flow, user, pendingIdentity(flow)!);
    passAuthenticators(flow);
    return outcome;
  },
};

/**
 * An opened `idp-verify-account-via-email` link (the action-token route checked it and used it
 * up): the login it belongs to must still wait for this link of this account (not if it chose the
 * password instead). In the browser of
 * that login the accounts are linked and the login goes on; elsewhere the login is marked and the
 * page says to go back.
 */
export async function openLinkMail(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, claims: ActionTokenClaims, user: User): Promise<FastifyReply> {
  const authSession = claims.oasid === undefined ? undefined : await loadAuthSession(ctx, realm, claims.oasid);
  const tabId = claims.tid ?? '';
  const tab = authSession && Object.hasOwn(authSession.tabs, tabId) ? authSession.tabs[tabId] : undefined;
  const client = tab ? realm.clientsByClientId.get(tab.clientId) : undefined;
  if (!authSession || !tab || !client || !client.enabled) throw new ErrorPage(400, EXPIRED);
  const run: LoginRun = { ctx, request, reply, realm, issuer, client, tab, tabId, authSession };
  const identity = pendingIdentity(run);
  if (!identity || identity.alias !== claims.idpAlias || identity.id !== claims.idpUserId || existingUserId(run) !== user.id || !linkConfirmed(run) || linkMail.declined(tab)) throw new ErrorPage(400, EXPIRED);
  if (authSessionIdFromCookie(request) !== authSession.id) {
    linkMail.open(tab);
    await ctx.store.putAuthSession(authSession);
    return sendPage(ctx, reply, { request, realm, user }, { template: 'info', title: { key: 'emailLinkIdpTitle', params: [providerOf(run, identity)?.displayName || identity.alias] }, data: { text: 'identityProviderLinkSuccess' } });
  }
  linkedEvent(run, user);
  await linkExisting(run, user, identity);
  passAuthenticators(run);
  return continueLogin(run);
}
