/**
 * `/users/{id}/consents`: the clients a user consented to or holds an offline token of, in
 * Keycloak's shape (`grantedClientScopes` by name, "Offline Token" as an additional grant), and
 * revoking one by clientId (manage-users): the consent, the client's offline tokens and its
 * share of the user's online sessions go (src/consent). Keycloak's 404s when there is nothing
 * to revoke.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { listUserConsents, revokeUserConsent, type UserConsentView } from '../../consent/index.ts';
import { adminNotFound } from '../../errors/index.ts';
import { realmUrl } from '../../http/base-url.ts';
import { findUser } from '../admin-lookups.ts';
import { adminScope } from '../admin-request.ts';

function toConsentRepresentation(view: UserConsentView) {
  return {
    clientId: view.client.clientId,
    grantedClientScopes: view.grantedScopes.map((s) => s.name),
    createdDate: view.consent?.createdDate ?? null,
    lastUpdatedDate: view.consent?.lastUpdatedDate ?? null,
    additionalGrants: view.offlineToken ? [{ client: view.client.id, key: 'Offline Token' }] : [],
  };
}

export async function userConsentRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/users/:id/consents', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    return (await listUserConsents(ctx, realm, user.id)).map(toConsentRepresentation);
  });

  app.delete('/admin/realms/:realm/users/:id/consents/:client', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    const { id, client: clientId } = request.params as { id: string; client: string };
    const user = await findUser(ctx, realm, id);
    const client = realm.clientsByClientId.get(clientId);
    if (!client) throw adminNotFound('Client not found');
    const revoked = await revokeUserConsent(ctx, realm, realmUrl(request, ctx.config, realm.realm.name), user.id, client);
    if (!revoked.consent && !revoked.offlineToken) throw adminNotFound('Consent nor offline token not found');
    return reply.code(204).send();
  });
}
