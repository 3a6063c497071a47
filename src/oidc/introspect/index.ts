/**
 * Token introspection (RFC 7662, `…/token/introspect`): a confidential client asks whether an
 * access or refresh token is active. Active: the token's claims (an access token's as its
 * mappers give them now) plus `active`, `client_id`, `username`, `token_type`. Anything else:
 * `{"active": false}` and nothing more.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { OAuthError, invalidRequest } from '../../errors/index.ts';
import { readParams, type Form } from '../../http/form.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { authenticateClientFor } from '../client-auth/index.ts';
import { recordFailure, type EventBuilder } from '../../events/index.ts';
import { checkAccessToken, decodeRefreshToken, introspectedClaims, validateRefreshToken } from '../tokens/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';

const INACTIVE = { active: false };

async function introspectRefreshToken(ctx: Context, realm: LoadedRealm, issuer: string, token: string, event: EventBuilder): Promise<Record<string, unknown> | undefined> {
  const claims = await decodeRefreshToken(realm, token);
  if (!claims) return undefined;
  const client = realm.clientsByClientId.get(claims.azp);
  if (!client || !client.enabled) return undefined;
  try {
    const valid = await validateRefreshToken(ctx, realm, issuer, client, token, { checkExpiry: true });
    event.user(valid.user.user.id).session(valid.session.id).detail('token_id', claims.jti).detail('token_type', claims.typ);
    return { ...valid.claims, active: true, client_id: claims.azp, username: valid.user.user.username, token_type: claims.typ };
  } catch (error) {
    if (error instanceof OAuthError) {
      event.detail('reason', error.description);
      return undefined;
    }
    throw error;
  }
}

export async function introspectRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post('/realms/:realm/protocol/openid-connect/token/introspect', { config: { endpoint: 'introspect' } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { realm, issuer } = await resolveRealm(ctx, request, 'oauth');
    const form = readParams(request);
    const event = ctx.events.recorder.user(realm, 'INTROSPECT_TOKEN', request);
    const caller = await authenticateClientFor(event, { ctx, realm, issuer }, request, form);
    try {
      if (caller.publicClient) throw invalidRequest('Client not allowed.', 403);
      const answer = await introspect(form, realm, issuer, event);
      if (answer.active) event.success();
      else event.detail('reason', event.details.reason ?? 'Token is not active').error('invalid_token');
      return answer;
    } catch (error) {
      recordFailure(event, error);
      throw error;
    }
  });

  async function introspect(form: Form, realm: LoadedRealm, issuer: string, event: EventBuilder): Promise<Record<string, unknown>> {
    const token = form.get('token');
    if (!token) throw invalidRequest('Token not provided');

    const hint = form.get('token_type_hint');
    const order = hint === 'refresh_token' ? ['refresh', 'access'] : ['access', 'refresh'];
    for (const kind of order) {
      if (kind === 'access') {
        const check = await checkAccessToken(ctx, realm, issuer, token, { dpop: true });
        if (check.valid) {
          event.user(check.user.user.id).session(check.session?.id).detail('token_id', check.claims.jti).detail('token_type', check.claims.typ);
          return { ...introspectedClaims(realm, check), active: true, client_id: check.claims.azp, username: check.user.user.username, token_type: check.claims.typ };
        }
        if (check.claims) {
          event.detail('reason', check.reason);
          return INACTIVE;
        }
      } else {
        const active = await introspectRefreshToken(ctx, realm, issuer, token, event);
        if (active) return active;
      }
    }
    return INACTIVE;
  }
}
