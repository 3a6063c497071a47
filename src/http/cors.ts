/**
 * CORS for endpoints that browsers call from applications (token, userinfo, logout, …): the
 * request's Origin is echoed, with credentials, only when the client's web origins allow it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isOriginAllowed } from '../realm/redirect-uri.ts';
import type { Client } from '../realm/types.ts';

export function allowCors(request: FastifyRequest, reply: FastifyReply, client: Client | undefined, allowedOrigins?: string[]): void {
  const origin = request.headers.origin;
  if (!origin) return;
  const allowed = client ? isOriginAllowed(client, origin) : (allowedOrigins ?? []).includes(origin) || (allowedOrigins ?? []).includes('*');
  if (!allowed) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('access-control-expose-headers', 'Access-Control-Allow-Methods');
  reply.header('vary', 'Origin');
}

/** Answers preflight requests for a path: the actual request is checked against the client. */
export function registerPreflight(app: FastifyInstance, path: string, methods: string): void {
  app.options(path, async (request, reply) => {
    const origin = request.headers.origin;
    if (origin) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-methods', methods);
      reply.header('access-control-allow-headers', 'Origin, Accept, X-Requested-With, Content-Type, Authorization, DPoP');
      reply.header('access-control-max-age', '3600');
    }
    return reply.code(200).send();
  });
}
