/**
 * `POST /users/{id}/impersonation`, as Keycloak 26's UserResource answers it: the caller, holding
 * realm-management's `impersonation` (or master's admin), gets a new SSO session of the user in
 * the user's realm, its cookies on the response, and `{ sameRealm, redirect }` naming the account
 * console. An admin of the same realm is signed out first (the browser can hold one session per
 * realm). The session is an ordinary one (stored, so it survives a restart) whose notes say who
 * impersonated (`IMPERSONATOR_ID`, `IMPERSONATOR_USERNAME`); a session-note mapper can put them
 * in tokens, as in Keycloak, where no built-in mapper does. The IMPERSONATE user event records
 * the impersonator; Keycloak records no admin event for it, and neither does holdfast.
 *
 * Stricter than Keycloak: impersonating is acting as the user, so the caller must also hold every
 * admin role the user holds (src/admin/role-grants.ts), or a user manager with `impersonation`
 * could become a realm admin.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest } from '../../errors/index.ts';
import { realmUrl } from '../../http/base-url.ts';
import { clearSsoCookies, setSsoCookies } from '../../oidc/auth/index.ts';
import { findUser } from '../admin-lookups.ts';
import { adminScope } from '../admin-request.ts';
import { requireActOnUser } from '../role-grants.ts';

/** Keycloak's ImpersonationSessionNote names. */
export const IMPERSONATOR_ID = 'IMPERSONATOR_ID';
export const IMPERSONATOR_USERNAME = 'IMPERSONATOR_USERNAME';

export async function impersonationRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post('/admin/realms/:realm/users/:id/impersonation', async (request, reply) => {
    const { realm, identity } = await adminScope(ctx, request, 'impersonation');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    await requireActOnUser(ctx, identity, realm, user);
    if (!user.enabled) throw adminBadRequest('User is disabled');
    if (user.serviceAccountClientId !== undefined) throw adminBadRequest('Service accounts cannot be impersonated');

    const issuer = realmUrl(request, ctx.config, realm.realm.name);
    const sameRealm = identity.realm.realm.id === realm.realm.id && identity.sessionId !== undefined;
    if (sameRealm) {
      const own = await ctx.sessions.findValid(realm.realm.settings, identity.sessionId!, false);
      clearSsoCookies(request, reply, issuer);
      if (own && (await ctx.sessions.end(own))) ctx.logoutNotifier.sessionEnded(realm, issuer, own);
    }

    const ipAddress = request.clientConnection.address;
    const session = await ctx.sessions.create(realm.realm.settings, {
      realmId: realm.realm.id,
      userId: user.id,
      rememberMe: false,
      ipAddress,
      userAgent: request.headers['user-agent'],
      notes: { [IMPERSONATOR_ID]: identity.user.user.id, [IMPERSONATOR_USERNAME]: identity.user.user.username },
    });
    await setSsoCookies(ctx, request, reply, realm, issuer, session);
    ctx.events.recorder
      .user(realm, 'IMPERSONATE', ipAddress)
      .user(user.id)
      .session(session.id)
      .detail('impersonator_realm', identity.realm.realm.name)
      .detail('impersonator', identity.user.user.username)
      .success();
    return { sameRealm, redirect: `${issuer}/account` };
  });
}
