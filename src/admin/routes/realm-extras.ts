/**
 * Smaller realm endpoints the admin client and Keycloak tooling call:
 * - `users-management-permissions`: fine-grained admin permissions are not built, and Keycloak
 *   26's default profile has them off too, so both methods answer its 501 `Feature not enabled`;
 * - `push-revocation`: what Keycloak would push to adapters, reported as not sent (adapter-push.ts);
 *   the realm's `notBefore` itself is set with `PUT /admin/realms/{realm}` and is enforced;
 * - `client-registration-policy/providers`: the registration policies holdfast applies, none
 *   until the client registration endpoint (issue 14) exists.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError } from '../../errors/index.ts';
import { notPushed, pushTargets } from '../adapter-push.ts';
import { adminScope } from '../admin-request.ts';

const featureNotEnabled = () => new AdminError(501, { error: 'Feature not enabled', error_description: 'For more on this error consult the server log.' });

export async function realmExtraRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const method of ['GET', 'PUT'] as const) {
    app.route({
      method,
      url: '/admin/realms/:realm/users-management-permissions',
      handler: async (request) => {
        await adminScope(ctx, request, method === 'GET' ? 'view-users' : 'manage-users');
        throw featureNotEnabled();
      },
    });
  }

  app.post('/admin/realms/:realm/push-revocation', async (request) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    return notPushed([...realm.clientsById.values()].flatMap(pushTargets));
  });

  app.get('/admin/realms/:realm/client-registration-policy/providers', async (request) => {
    await adminScope(ctx, request, 'view-realm');
    return [];
  });
}
