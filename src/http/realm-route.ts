/**
 * Resolves the `{realm}` path segment of realm routes to a loaded realm, answering Keycloak's
 * 404 for unknown realms and 403 for disabled ones before any endpoint code runs.
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import type { LoadedRealm } from '../realm/realm-service.ts';
import { OAuthError, accessDenied } from '../errors/index.ts';
import { realmUrl } from './base-url.ts';

export interface RealmRequest {
  realm: LoadedRealm;
  /** `{base}/realms/{realm}`: the issuer. */
  issuer: string;
}

export async function resolveRealm(ctx: Context, request: FastifyRequest): Promise<RealmRequest> {
  const name = (request.params as { realm?: string }).realm ?? '';
  const realm = name === '' ? undefined : await ctx.realms.getRealm(name);
  if (!realm) throw new OAuthError(404, 'Realm does not exist', 'Realm does not exist');
  if (!realm.realm.settings.enabled) throw accessDenied('Realm not enabled');
  return { realm, issuer: realmUrl(request, ctx.config.hostname, realm.realm.name) };
}
