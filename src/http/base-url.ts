/**
 * The server's public base URL for a request; the issuer of every token is this URL plus
 * `/realms/{realm}`. With `--hostname` the URL never comes from the request's Host header: a full
 * URL is used as it is (its path is the public path, whatever `--http-relative-path` is, as with
 * Keycloak's hostname v2); a bare host name takes the scheme of the client connection (the
 * listener, or a trusted proxy) and the port of the listener, or the scheme's default port behind
 * a proxy, then the relative path. Without `--hostname` (`start-dev`, or `--hostname-strict=false`)
 * the Host header (or a trusted proxy's forwarded host) decides, as in Keycloak's development mode.
 */
import type { FastifyRequest } from 'fastify';
import { invalidRequest } from '../errors/index.ts';
import { isValidHost } from './client-connection.ts';

/** What of the configuration decides the base URL. */
export interface PublicUrlConfig {
  hostname?: string;
  /** `--http-relative-path`: '' or a path such as '/auth'. */
  httpRelativePath: string;
}

export function baseUrl(request: FastifyRequest, config: PublicUrlConfig): string {
  const { hostname, httpRelativePath } = config;
  if (hostname && /^https?:\/\//.test(hostname)) return hostname.replace(/\/+$/, '');
  const { scheme, host, forwarded } = request.clientConnection;
  if (!hostname) {
    if (!isValidHost(host)) throw invalidRequest('Invalid Host header');
    return `${scheme}://${host}${httpRelativePath}`;
  }
  if (/:\d+$/.test(hostname)) return `${scheme}://${hostname}${httpRelativePath}`;
  const port = forwarded ? undefined : request.socket.localPort;
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${hostname}${port && port !== defaultPort ? ':' + port : ''}${httpRelativePath}`;
}

export function realmUrl(request: FastifyRequest, config: PublicUrlConfig, realm: string): string {
  return `${baseUrl(request, config)}/realms/${encodeURIComponent(realm)}`;
}

/** holdfast's base URL from a realm's issuer (`{base}/realms/{name}`). */
export function authBaseUrlOf(issuer: string): string {
  return issuer.slice(0, issuer.lastIndexOf('/realms/'));
}
