/**
 * The realm's `sslRequired` (Keycloak's SslRequired): `all` refuses plain HTTP from anybody,
 * `external` (the default) from any client that is not on a loopback, private or link-local
 * address, `none` from nobody. "Plain HTTP" means the realm's public URL is not https, as
 * Keycloak judges it by the base URI: `--hostname https://…`, a TLS listener, or a trusted proxy
 * that says the client used https. The client address is the resolved one (trusted proxies).
 */
import type { FastifyRequest } from 'fastify';
import type { RealmSettings } from '../realm/index.ts';
import { ErrorPage, OAuthError } from '../errors/index.ts';
import { isLocalAddress } from './address-ranges.ts';

/** How a refusal is answered: Keycloak's error page (browser endpoints) or an OAuth error body. */
export type SslRefusal = 'page' | 'oauth';

const HTTPS_REQUIRED = 'HTTPS required';

function httpsRequired(sslRequired: RealmSettings['sslRequired'], issuer: string, request: FastifyRequest): boolean {
  if (issuer.startsWith('https:')) return false;
  if (sslRequired === 'none') return false;
  return sslRequired === 'all' || !isLocalAddress(request.clientConnection.address);
}

export function checkSsl(sslRequired: RealmSettings['sslRequired'], issuer: string, request: FastifyRequest, refusal: SslRefusal): void {
  if (!httpsRequired(sslRequired, issuer, request)) return;
  // The login pages answer 400 (AuthorizationEndpointBase, SessionCodeChecks); the OAuth endpoints 403.
  if (refusal === 'page') throw new ErrorPage(400, HTTPS_REQUIRED);
  throw new OAuthError(403, 'invalid_request', HTTPS_REQUIRED);
}
