/**
 * Token revocation (RFC 7009, `…/revoke`). A refresh token ends its client's session (and the
 * user session when no client is left); an offline token also ends the offline client session;
 * an access token is put on the revocation list until it would have expired. Invalid tokens are
 * not an error for the caller (200), as the RFC asks.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { invalidRequest, unsupportedTokenType } from '../../errors/index.ts';
import { readParams } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { allowCors, registerPreflight } from '../../http/cors.ts';
import { authenticateClientFor } from '../client-auth/index.ts';
import { recordFailure } from '../../events/index.ts';
import { decodeAccessToken, decodeRefreshToken } from '../tokens/index.ts';
import type { UserSession } from '../../session/types.ts';

const INVALID_TOKEN = { error: 'invalid_token', error_description: 'Invalid token' };
const PATH = '/realms/:realm/protocol/openid-connect/revoke';

export async function revokeRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const endClientSession = async (session: UserSession | undefined, clientUuid: string) => {
    if (!session) return;
    await ctx.sessions.detachClient(session, clientUuid);
    if (session.clientSessions.size === 0) await ctx.sessions.end(session);
  };

  registerPreflight(app, PATH, 'POST, OPTIONS');
  app.post(PATH, { config: { endpoint: 'revoke' } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { realm, issuer } = await resolveRealm(ctx, request, 'oauth');
    const form = readParams(request);
    const event = ctx.events.recorder.user(realm, 'REVOKE_GRANT', request);
    const client = await authenticateClientFor(event, { ctx, realm, issuer }, request, form);
    allowCors(request, reply, client);
    try {
      const token = form.get('token');
      if (!token) throw invalidRequest('Token not provided');

      const refresh = await decodeRefreshToken(realm, token);
      const access = refresh ? undefined : await decodeAccessToken(realm, token);
      if (!refresh && !access) {
        event.detail('reason', 'Invalid token').error('invalid_token');
        return reply.code(200).send(INVALID_TOKEN);
      }
      const claims = (refresh ?? access)!;
      if (access && access.typ !== 'Bearer' && access.typ !== 'DPoP') {
        event.error('invalid_token_type');
        throw unsupportedTokenType();
      }
      if (claims.azp !== client.clientId) throw invalidRequest('Unmatching clients');
      event.user(claims.sub === undefined ? undefined : String(claims.sub)).session(claims.sid).detail('revoked_client', client.clientId);

      if (refresh) {
        event.detail('refresh_token_id', refresh.jti);
        const online = await ctx.store.getUserSession(refresh.sid, false);
        if (refresh.typ === 'Offline') await endClientSession(await ctx.store.getUserSession(refresh.sid, true), client.id);
        await endClientSession(online, client.id);
      } else if (access) {
        event.detail('token_id', access.jti);
        await ctx.revocations.revoke(access.jti, access.exp);
      }
      event.success();
    } catch (error) {
      recordFailure(event, error);
      throw error;
    }
    return reply.code(200).send();
  });
}
