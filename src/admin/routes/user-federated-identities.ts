/**
 * `/users/{id}/federated-identity`: a user's links to accounts at the realm's identity providers
 * (list: view-users; add and remove: manage-users), as Keycloak's UserResource has them. A link
 * to a provider the realm does not have is refused, and one upstream account links one user.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, adminBadRequest, adminConflict, adminNotFound } from '../../errors/index.ts';
import { findUser } from '../admin-lookups.ts';
import { adminScope, readBody } from '../admin-request.ts';
import { object, string } from '../json-shape.ts';

const federatedIdentityRepresentation = object({ identityProvider: string, userId: string, userName: string });

export async function userFederatedIdentityRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/users/:id/federated-identity', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    const links = await ctx.realms.repository.listFederatedIdentities(user.id);
    return links
      .filter((link) => realm.identityProviders.has(link.identityProvider))
      .map((link) => ({ identityProvider: link.identityProvider, userId: link.federatedUserId, userName: link.federatedUsername ?? link.federatedUserId }));
  });

  app.post('/admin/realms/:realm/users/:id/federated-identity/:alias', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    const { id, alias } = request.params as { id: string; alias: string };
    const user = await findUser(ctx, realm, id);
    if (!realm.identityProviders.has(alias)) throw new AdminError(404, { error: 'Identity Provider not found' });
    const rep = readBody(request, federatedIdentityRepresentation);
    if (rep.userId === undefined || rep.userId === '') throw adminBadRequest('userId is required', 'userId');
    const added = await ctx.realms.repository.addFederatedIdentity({ userId: user.id, realmId: realm.realm.id, identityProvider: alias, federatedUserId: rep.userId, federatedUsername: rep.userName ?? rep.userId });
    if (!added) throw adminConflict('User is already linked with provider');
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });

  app.delete('/admin/realms/:realm/users/:id/federated-identity/:alias', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    const { id, alias } = request.params as { id: string; alias: string };
    const user = await findUser(ctx, realm, id);
    if (!(await ctx.realms.repository.removeFederatedIdentity(user.id, alias))) throw adminNotFound('Link not found');
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });
}
