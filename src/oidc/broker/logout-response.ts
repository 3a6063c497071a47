/**
 * The front-channel leg of an upstream logout (src/broker/upstream-logout.ts): the browser whose
 * brokered session just ended is sent to the upstream's end-session endpoint with a random
 * `state`, and the upstream sends it back to `/realms/{r}/broker/{alias}/endpoint/logout_response`
 * with that state, where the logout goes on to the application's `post_logout_redirect_uri` (or
 * the "logged out" page), as Keycloak finishes it. The state is a single-use durable record, so
 * any node takes the return and a replay or a forged return gets Keycloak's 400 error page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, sha256Base64Url } from '../../crypto/index.ts';
import { ErrorPage } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { BROKER_TEXTS, frontchannelLogoutRedirect, type UpstreamLogout } from '../../broker/index.ts';
import { sendLoggedOut } from '../logout/logout-pages.ts';

/** How long the upstream may take to send the browser back. */
const RETURN_LIFESPAN_SECONDS = 600;
const STATE_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const keyOf = (state: string) => `broker-logout:${sha256Base64Url(state)}`;

interface PendingLogout {
  realmId: string;
  alias: string;
  /** Where the logout ends: the application's redirect (with its state), or the logged-out page when absent. */
  redirectTo?: string;
}

function logoutResponseUrl(issuer: string, alias: string): string {
  return `${issuer}/broker/${encodeURIComponent(alias)}/endpoint/logout_response`;
}

/** Records where the logout ends and answers the upstream URL to send the browser to. */
export async function startUpstreamLogout(ctx: Context, issuer: string, realmId: string, logout: UpstreamLogout, redirectTo: string | undefined): Promise<string> {
  const state = newSecret(32);
  const now = ctx.sessions.now();
  const pending: PendingLogout = { realmId, alias: logout.provider.alias, ...(redirectTo ? { redirectTo } : {}) };
  if (!(await ctx.store.putEphemeral(keyOf(state), JSON.stringify(pending), now + RETURN_LIFESPAN_SECONDS, now))) throw new Error('upstream logout state collision');
  return frontchannelLogoutRedirect(logout, state, logoutResponseUrl(issuer, logout.provider.alias));
}

export async function logoutResponseRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/realms/:realm/broker/:alias/endpoint/logout_response', { config: { endpoint: 'logout' } }, async (request, reply): Promise<FastifyReply> => {
    const { realm } = await resolveRealm(ctx, request, 'page');
    const alias = (request.params as { alias: string }).alias;
    let state: string | undefined;
    try {
      state = readParams(request, 'query').get('state');
    } catch {
      state = undefined;
    }
    const value = state !== undefined && STATE_SHAPE.test(state) ? await ctx.store.takeEphemeral(keyOf(state), ctx.sessions.now()) : undefined;
    const pending = value === undefined ? undefined : (JSON.parse(value) as PendingLogout);
    if (!pending || pending.realmId !== realm.realm.id || pending.alias !== alias) {
      request.log.info({ identityProvider: alias }, 'upstream logout returned with an unknown or spent state');
      throw new ErrorPage(400, BROKER_TEXTS.unexpected);
    }
    if (pending.redirectTo) return reply.redirect(pending.redirectTo, 302);
    return sendLoggedOut(ctx, request, reply, realm);
  });
}
