/**
 * `PUT /users/{id}/execute-actions-email` (query `lifespan`, `redirect_uri`, `client_id`; body the
 * required actions) and `PUT /users/{id}/send-verify-email` (query `redirect_uri`, `client_id`,
 * `lifespan`): mail the user a single-use action-token link, with Keycloak's checks and messages.
 * The link is stored before the answer; the mail is queued (src/mail), so a slow or failing SMTP
 * server never holds the call. Needs manage-users and every admin role the user holds.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { actionTokenLifespan, issueActionToken, type ActionTokenClaims, actionTokenLink } from '../../action-tokens/index.ts';
import { AdminError, adminBadRequest } from '../../errors/index.ts';
import { baseUrl } from '../../http/base-url.ts';
import { linkExpiration, renderMail, requiredActionName, smtpConfig, type MailKind } from '../../mail/index.ts';
import { selectLocale } from '../../theme/index.ts';
import { verifyRedirectUri, type LoadedRealm, type User } from '../../realm/index.ts';
import { findUser } from '../admin-lookups.ts';
import { adminScope, queryInteger, queryString, readBody } from '../admin-request.ts';
import { list, string } from '../json-shape.ts';
import { requireActOnUser } from '../role-grants.ts';

/** Keycloak 26's built-in required actions. */
const REQUIRED_ACTIONS = new Set(['UPDATE_PASSWORD', 'VERIFY_EMAIL', 'UPDATE_PROFILE', 'CONFIGURE_TOTP', 'TERMS_AND_CONDITIONS', 'UPDATE_EMAIL', 'delete_account', 'webauthn-register', 'webauthn-register-passwordless', 'VERIFY_PROFILE', 'delete_credential', 'update_user_locale']);

const actionList = list(string);

function target(ctx: Context, request: FastifyRequest, realm: LoadedRealm): { azp?: string; rdu?: string } {
  const redirectUri = queryString(request, 'redirect_uri');
  const clientId = queryString(request, 'client_id');
  if (redirectUri !== undefined && clientId === undefined) throw adminBadRequest('Client id missing');
  if (clientId === undefined) return {};
  const client = realm.clientsByClientId.get(clientId);
  if (!client) throw adminBadRequest("Client doesn't exist");
  if (!client.enabled) throw adminBadRequest('Client is not enabled');
  if (redirectUri === undefined) return { azp: clientId };
  const verified = verifyRedirectUri(client, redirectUri);
  if (verified === undefined) throw adminBadRequest('Invalid redirect uri.');
  return { azp: clientId, rdu: verified };
}

function mailable(user: User): string {
  if (!user.enabled) throw adminBadRequest('User is disabled');
  if (!user.email) throw adminBadRequest('User email missing');
  return user.email;
}

export async function userActionEmailRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  async function send(request: FastifyRequest, realm: LoadedRealm, user: User, kind: MailKind, fields: Omit<ActionTokenClaims, 'jti' | 'iss' | 'exp' | 'iat' | 'sub'>, failure: string) {
    const to = mailable(user);
    const smtp = smtpConfig(realm.realm.settings.smtpServer, realm.keys.sealKey, realm.realm.id);
    if (!smtp) throw adminBadRequest(`${failure}: the realm has no SMTP server`);
    const lifespanParam = queryString(request, 'lifespan') === undefined ? undefined : queryInteger(request, 'lifespan', 0);
    if (lifespanParam !== undefined && lifespanParam <= 0) throw adminBadRequest('lifespan: expected a positive number of seconds', 'lifespan');
    const lifespan = actionTokenLifespan(realm.realm.settings, fields.typ, true, lifespanParam);
    const issuer = `${baseUrl(request, ctx.config)}/realms/${encodeURIComponent(realm.realm.name)}`;
    const { token } = await issueActionToken(ctx, realm, issuer, { ...fields, sub: user.id }, lifespan);
    const link = actionTokenLink(issuer, token, { clientId: fields.azp });
    const realmName = realm.realm.settings.displayName ?? realm.realm.name;
    // In the user's language as Keycloak picks it (their `locale` attribute first), English without i18n.
    const locale = selectLocale(realm, { request, user });
    const actions = (fields.reqac ?? []).map((a) => requiredActionName(a, locale)).join(', ');
    if (!ctx.mail.send(realm.realm.name, smtp, renderMail(kind, to, [link, linkExpiration(lifespan, locale), realmName, actions], locale))) {
      throw new AdminError(503, { errorMessage: `${failure}: the mail queue is full, try again later` });
    }
  }

  app.put('/admin/realms/:realm/users/:id/execute-actions-email', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    await requireActOnUser(ctx, identity, realm, user);
    const actions = readBody(request, actionList);
    if (actions.length === 0 || actions.some((a) => !REQUIRED_ACTIONS.has(a))) throw adminBadRequest('Provided invalid required actions');
    const { azp, rdu } = target(ctx, request, realm);
    await send(request, realm, user, 'executeActions', { typ: 'execute-actions', azp, rdu, reqac: [...new Set(actions)] }, 'Failed to send execute actions email');
    ctx.events.recorder.user(realm, 'EXECUTE_ACTIONS', request).user(user.id).client(azp).detail('required_actions', actions.join(',')).success();
    return reply.code(204).send();
  });

  app.put('/admin/realms/:realm/users/:id/send-verify-email', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    await requireActOnUser(ctx, identity, realm, user);
    const { azp, rdu } = target(ctx, request, realm);
    await send(request, realm, user, 'emailVerification', { typ: 'verify-email', azp, rdu, eml: user.email }, 'Failed to send verify email');
    ctx.events.recorder.user(realm, 'SEND_VERIFY_EMAIL', request).user(user.id).client(azp).detail('email', user.email).success();
    return reply.code(204).send();
  });
}
