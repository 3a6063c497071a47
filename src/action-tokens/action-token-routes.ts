/**
 * `/realms/{realm}/login-actions/action-token?key=…`: what an e-mail link does. A tampered or
 * foreign link gets Keycloak's invalid-code page, an expired or already used one its
 * "Action expired." page, and neither changes anything. A verify-email link confirms the address
 * it was sent to; a reset-credentials link ("Forgot Password?") shows the new-password form; an
 * execute-actions link confirms the address for VERIFY_EMAIL, shows the
 * new-password form for UPDATE_PASSWORD (its POST carries a single-use form token of its own),
 * and hands every other action to the login's required actions (the authn step engine runs them
 * at the next sign-in). An update-email link (UPDATE_EMAIL under realm `verifyEmail`) sets the new
 * address, verified, if it is still free and the user's address is still the one it replaces. An
 * idp-verify-account-via-email link (a first broker login's) goes to the handler the app gives.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { ErrorPage } from '../errors/index.ts';
import { readParams } from '../http/form.ts';
import { resolveRealm } from '../http/realm-route.ts';
import { type LoadedRealm, type User } from '../realm/index.ts';
// The policy module alone: the login engine (authn/index) imports the login pages, which link here.
import { preparePasswordChange } from '../authn/password-policy/index.ts';
import { consumeActionToken, issueActionToken, readActionToken, type ActionTokenClaims, type ActionTokenType } from './action-token.ts';
import { sendInfoPage, sendPasswordForm } from './action-token-pages.ts';

export const ACTION_TOKEN_PATH = '/realms/:realm/login-actions/action-token';

const INVALID_CODE = 'An error occurred, please login again through your application.';
const EXPIRED = 'Action expired.';
const EMAIL_VERIFIED = 'emailVerifiedMessage';
const ACCOUNT_UPDATED = 'accountUpdatedMessage';
const PASSWORD_MISSING = 'missingPasswordMessage';
const PASSWORDS_DIFFER = 'notMatchPasswordMessage';
const EMAIL_UPDATED_TITLE = 'Email updated';
const EMAIL_UPDATED = 'The account email has been successfully updated to {0}.';
const EMAIL_EXISTS = 'Email already exists.';
/** The longest password accepted here, as the hashing bound elsewhere (bytes of UTF-8). */
const MAX_PASSWORD_BYTES = 4096;

const UPDATE_PASSWORD = 'UPDATE_PASSWORD';
const VERIFY_EMAIL = 'VERIFY_EMAIL';
const UPDATE_EMAIL = 'UPDATE_EMAIL';

async function userOf(ctx: Context, realm: LoadedRealm, claims: ActionTokenClaims): Promise<User | undefined> {
  const user = await ctx.realms.repository.findUserById(claims.sub);
  return user && user.realmId === realm.realm.id && user.enabled ? user : undefined;
}

/** Where "Back to Application" goes: the link's redirect, when its client still exists and is enabled. */
function backTo(realm: LoadedRealm, claims: ActionTokenClaims): string | undefined {
  const client = claims.azp === undefined ? undefined : realm.clientsByClientId.get(claims.azp);
  return client?.enabled ? claims.rdu : undefined;
}

/**
 * What an opened `idp-verify-account-via-email` link does (the first broker login's, in src/authn,
 * which imports the login pages that link here: so it is handed in, not imported).
 */
export type LinkMailHandler = (ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, claims: ActionTokenClaims, user: User) => Promise<FastifyReply>;

export async function actionTokenRoutes(app: FastifyInstance, { ctx, openLinkMail }: { ctx: Context; openLinkMail?: LinkMailHandler }): Promise<void> {
  /** Verified, the user's, not used before: consumed now. Anything else is an error page and an event. */
  async function useToken(request: FastifyRequest, realm: LoadedRealm, issuer: string, key: string | undefined, types: ActionTokenType[]) {
    const event = ctx.events.recorder.user(realm, 'EXECUTE_ACTION_TOKEN', request);
    const read = key ? await readActionToken(ctx, realm, issuer, key, types) : { valid: false as const, reason: 'invalid' as const };
    if (!read.valid) {
      event.error(read.reason === 'expired' ? 'expired_code' : 'invalid_code');
      throw new ErrorPage(400, read.reason === 'expired' ? EXPIRED : INVALID_CODE);
    }
    const { claims } = read;
    event.user(claims.sub).client(claims.azp).detail('action', claims.typ);
    const user = await userOf(ctx, realm, claims);
    if (!user || (claims.eml !== undefined && claims.eml !== user.email)) {
      event.error(user ? 'invalid_email' : 'user_not_found');
      throw new ErrorPage(400, INVALID_CODE);
    }
    if (!(await consumeActionToken(ctx, claims))) {
      event.error('expired_code');
      throw new ErrorPage(400, EXPIRED);
    }
    if (claims.typ !== 'action-form') event.success();
    return { claims, user };
  }

  async function saveUser(user: User, changes: Partial<User>): Promise<void> {
    await ctx.realms.repository.transaction((tx) => tx.updateUser({ ...user, ...changes }));
    await ctx.realms.userChanged(user.id);
  }

  /** The new address of an update-email link, checked again (another user may have taken it meanwhile). */
  async function updateEmail(request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, claims: ActionTokenClaims, user: User): Promise<FastifyReply> {
    const newEmail = claims.newEmail ?? '';
    const event = ctx.events.recorder.user(realm, 'UPDATE_EMAIL', request).user(user.id).client(claims.azp).detail('previous_email', user.email).detail('updated_email', newEmail);
    const clash = realm.realm.settings.duplicateEmailsAllowed ? [] : (await ctx.realms.repository.findUserByEmail(realm.realm.id, newEmail)).filter((other) => other.id !== user.id);
    if (newEmail === '' || clash.length > 0) {
      event.error('email_in_use');
      throw new ErrorPage(400, EMAIL_EXISTS);
    }
    await saveUser(user, { email: newEmail, emailVerified: true, requiredActions: user.requiredActions.filter((a) => a !== UPDATE_EMAIL) });
    event.success();
    return sendInfoPage({ ctx, request, reply, realm, user }, EMAIL_UPDATED.replace('{0}', newEmail), backTo(realm, claims), EMAIL_UPDATED_TITLE);
  }

  app.get(ACTION_TOKEN_PATH, { config: { endpoint: 'action-token' } }, async (request, reply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const types: ActionTokenType[] = ['execute-actions', 'verify-email', 'update-email', 'reset-credentials', ...(openLinkMail ? (['idp-verify-account-via-email'] as const) : [])];
    const { claims, user } = await useToken(request, realm, issuer, readParams(request, 'query').get('key'), types);
    if (claims.typ === 'update-email') return updateEmail(request, reply, realm, claims, user);
    if (claims.typ === 'idp-verify-account-via-email') return openLinkMail!(ctx, request, reply, realm, issuer, claims, user);
    const actions = claims.typ === 'verify-email' ? [VERIFY_EMAIL] : claims.typ === 'reset-credentials' ? [UPDATE_PASSWORD] : (claims.reqac ?? []);
    const verify = actions.includes(VERIFY_EMAIL);
    const later = actions.filter((a) => a !== VERIFY_EMAIL && a !== UPDATE_PASSWORD);
    const requiredActions = [...new Set([...user.requiredActions.filter((a) => !(verify && a === VERIFY_EMAIL)), ...later])];
    if (verify || later.length > 0) await saveUser(user, { emailVerified: verify || user.emailVerified, requiredActions });
    if (verify) ctx.events.recorder.user(realm, 'VERIFY_EMAIL', request).user(user.id).client(claims.azp).detail('email', user.email).success();
    const pages = { ctx, request, reply, realm, user };
    if (!actions.includes(UPDATE_PASSWORD)) return sendInfoPage(pages, claims.typ === 'verify-email' ? EMAIL_VERIFIED : ACCOUNT_UPDATED, backTo(realm, claims));
    const form = await issueActionToken(ctx, realm, issuer, { typ: 'action-form', sub: user.id, azp: claims.azp, rdu: claims.rdu, reqac: [UPDATE_PASSWORD], origin: claims.typ }, realm.realm.settings.accessCodeLifespanUserAction);
    return sendPasswordForm(pages, `${issuer}/login-actions/action-token`, form.token);
  });

  app.post(ACTION_TOKEN_PATH, { config: { endpoint: 'action-token' } }, async (request, reply: FastifyReply) => {
    const { realm, issuer } = await resolveRealm(ctx, request, 'page');
    const form = readParams(request);
    const key = form.get('key') ?? '';
    const password = form.get('password-new') ?? '';
    // Checked before the form token is used up, so a typo does not cost the user the link.
    const read = await readActionToken(ctx, realm, issuer, key, ['action-form']);
    const holder = read.valid ? await ctx.realms.repository.findUserById(read.claims.sub) : undefined;
    const pages = { ctx, request, reply, realm, user: holder?.realmId === realm.realm.id ? holder : undefined };
    if (read.valid && (password === '' || password !== form.get('password-confirm') || Buffer.byteLength(password) > MAX_PASSWORD_BYTES)) {
      return sendPasswordForm(pages, `${issuer}/login-actions/action-token`, key, password === '' ? PASSWORD_MISSING : password !== form.get('password-confirm') ? PASSWORDS_DIFFER : 'Password is too long.');
    }
    // The realm's password policy applies here as on every other password change, also before the token is used up.
    if (holder && holder.realmId === realm.realm.id) {
      const check = await preparePasswordChange(ctx, realm, holder, password);
      if ('violation' in check) return sendPasswordForm(pages, `${issuer}/login-actions/action-token`, key, check.violation.description);
    }
    const { claims, user } = await useToken(request, realm, issuer, key, ['action-form']);
    const change = await preparePasswordChange(ctx, realm, user, password);
    if ('violation' in change) return sendPasswordForm(pages, `${issuer}/login-actions/action-token`, key, change.violation.description);
    await ctx.realms.repository.transaction(async (tx) => {
      await tx.setPassword(user.id, change.credential, change.historyLength);
      await tx.updateUser({ ...user, requiredActions: user.requiredActions.filter((a) => a !== UPDATE_PASSWORD) });
    });
    await ctx.realms.userChanged(user.id);
    ctx.events.recorder.user(realm, claims.origin === 'reset-credentials' ? 'RESET_PASSWORD' : 'UPDATE_PASSWORD', request).user(user.id).client(claims.azp).success();
    return sendInfoPage({ ...pages, user }, ACCOUNT_UPDATED, backTo(realm, claims));
  });
}
