/**
 * The server's public base URL for a request: `--hostname` when it is a full URL; otherwise the
 * request's scheme and port with `--hostname`'s host, or the request's Host header in dev mode.
 * The issuer of every token is this URL plus `/realms/{realm}`.
 */
import type { FastifyRequest } from 'fastify';
import { invalidRequest } from '../errors/index.ts';

const HOST_SHAPE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

export function baseUrl(request: FastifyRequest, hostname: string | undefined): string {
  if (hostname && /^https?:\/\//.test(hostname)) return hostname.replace(/\/+$/, '');
  const host = request.headers.host ?? '';
  const port = HOST_SHAPE.exec(host)?.[2]?.slice(1);
  // The shape alone lets `host:99999` through, which no URL parser accepts further on.
  if (!HOST_SHAPE.test(host) || (port !== undefined && Number(port) > 65535)) throw invalidRequest('Invalid Host header');
  if (!hostname) return `${request.protocol}://${host}`;
  return `${request.protocol}://${hostname}${port && !hostname.includes(':') ? ':' + port : ''}`;
}

export function realmUrl(request: FastifyRequest, hostname: string | undefined, realm: string): string {
  return `${baseUrl(request, hostname)}/realms/${encodeURIComponent(realm)}`;
}
