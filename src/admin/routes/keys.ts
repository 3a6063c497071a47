/**
 * `GET /keys`: Keycloak's KeysMetadataRepresentation (view-realm), from what the realm load
 * already computed: the active kid per algorithm and every key in Keycloak's order.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { adminScope } from '../admin-request.ts';

export async function keyRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/keys', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    return { active: realm.keys.active, keys: realm.keys.metadata };
  });
}
