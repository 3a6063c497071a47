/**
 * `--http-relative-path` (Keycloak's flag, for deployments that still serve under the legacy
 * `/auth`): every route answers under the path and nowhere else. Routes stay registered at their
 * own paths; the path is taken off each request's URL before routing, so endpoint code sees the
 * same URLs either way, and it is put back into every URL holdfast writes through the base URL
 * (base-url.ts), so issuers, redirects, cookie paths, consoles and theme assets carry it.
 * As Keycloak does, `/` sends the browser to the path and the bare path to the path with a slash.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** A request outside the relative path: it routes to this, which no route is registered under. */
const OUTSIDE = '/.outside-http-relative-path';

const redirects = new WeakMap<IncomingMessage, { status: 302 | 303; location: string }>();

/**
 * Fastify's `rewriteUrl` for the relative path `prefix` ('' needs none): `/auth/realms/x` routes as
 * `/realms/x`; anything outside `/auth` routes nowhere (404), except the two redirects.
 */
export function relativePathRewrite(prefix: string): ((request: IncomingMessage) => string) | undefined {
  if (prefix === '') return undefined;
  return (request) => {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt);
    if (path.startsWith(prefix + '/')) return url.slice(prefix.length);
    if (path === prefix) redirects.set(request, { status: 303, location: `${prefix}/${query}` });
    else if (path === '/') redirects.set(request, { status: 302, location: prefix });
    return OUTSIDE + path;
  };
}

/** Answers the redirects the rewrite decided on, before any other hook runs. Register it first. */
export function registerRelativePathRedirects(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const redirect = redirects.get(request.raw);
    if (redirect) return reply.redirect(redirect.location, redirect.status);
  });
}
