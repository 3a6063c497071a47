/**
 * Resolves the `{realm}` path segment of realm routes to a loaded realm, answering Keycloak's
 * 404 for unknown realms, then (for endpoints that Keycloak guards so) the realm's `sslRequired`,
 * and 403 for disabled realms, before any endpoint code runs.
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import type { LoadedRealm } from '../realm/realm-service.ts';
import { OAuthError, accessDenied } from '../errors/index.ts';
import { realmUrl } from './base-url.ts';
import { checkSsl, type SslRefusal } from './ssl-required.ts';

export interface RealmRequest {
  realm: LoadedRealm;
  /** `{base}/realms/{realm}`: the issuer. */
  issuer: string;
}

/** `ssl`: how this endpoint refuses plain HTTP when the realm requires HTTPS; unset: it does not check. */
export async function resolveRealm(ctx: Context, request: FastifyRequest, ssl?: SslRefusal): Promise<RealmRequest> {
  const name = (request.params as { realm?: string }).realm ?? '';
  const realm = name === '' ? undefined : await ctx.realms.getRealm(name);
  if (!realm) throw new OAuthError(404, 'Realm does not exist', 'Realm does not exist');
  const issuer = realmUrl(request, ctx.config, realm.realm.name);
  if (ssl) checkSsl(realm.realm.settings.sslRequired, issuer, request, ssl);
  if (!realm.realm.settings.enabled) throw accessDenied('Realm not enabled');
  return { realm, issuer };
}
