/** The realm's JSON Web Key Set: public halves of the keys that sign access and ID tokens. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { allowCors } from '../../http/cors.ts';

export async function certsRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/realms/:realm/protocol/openid-connect/certs', { config: { endpoint: 'certs' } }, async (request, reply) => {
    const { realm } = await resolveRealm(ctx, request);
    allowCors(request, reply, undefined, ['*']);
    reply.header('cache-control', 'no-cache');
    return { keys: realm.keys.jwks };
  });
}
