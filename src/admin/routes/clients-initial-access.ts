/**
 * `/admin/realms/{realm}/clients-initial-access`: the tokens that let an application register a
 * client through the client registration endpoint (issue 14; the endpoint itself is not built
 * yet, so the tokens are issued and listed but nothing accepts them). The token is shown once,
 * in the answer to its creation; the store keeps only its SHA-256.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { newId, newSecret, sha256Hex } from '../../crypto/index.ts';
import { AdminError } from '../../errors/index.ts';
import type { ClientInitialAccess } from '../../realm/index.ts';
import { adminScope, collectionPaths, readBody } from '../admin-request.ts';
import { integer, object } from '../json-shape.ts';

const creation = object({ expiration: integer, count: integer });

const invalid = (what: string, description: string) => new AdminError(400, { error: `Invalid value for ${what}`, error_description: description });

function representation(access: ClientInitialAccess): Record<string, unknown> {
  const { id, timestamp, expiration, count, remainingCount } = access;
  return { id, timestamp, expiration, count, remainingCount };
}

export async function clientsInitialAccessRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const url of collectionPaths('/admin/realms/:realm/clients-initial-access')) {
    app.get(url, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-clients');
      return (await ctx.realms.repository.listClientInitialAccess(realm.realm.id)).map(representation);
    });

    app.post(url, async (request, reply) => {
      const { realm } = await adminScope(ctx, request, 'manage-clients');
      const body = readBody(request, creation);
      const expiration = body.expiration ?? 0;
      const count = body.count ?? 0;
      if (expiration < 0) throw invalid('expiration', 'The expiration time interval cannot be less than 0');
      if (count < 0) throw invalid('count', 'The count cannot be less than 0');
      const token = newSecret();
      const access: ClientInitialAccess = {
        id: newId(),
        realmId: realm.realm.id,
        tokenHash: sha256Hex(token),
        timestamp: Math.floor(ctx.clock.nowMs() / 1000),
        expiration,
        count,
        remainingCount: count,
      };
      await ctx.realms.repository.createClientInitialAccess(access);
      return reply.code(201).send({ id: access.id, token, ...representation(access) });
    });
  }

  // As in Keycloak, deleting a token that is not there is not an error.
  app.delete('/admin/realms/:realm/clients-initial-access/:id', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-clients');
    await ctx.realms.repository.deleteClientInitialAccess(realm.realm.id, (request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
