/**
 * What the user belongs to: `GET /account/groups` (their direct groups, brief unless
 * `briefRepresentation=false`, as Keycloak's account API lists them). Linked accounts are
 * linked-account-routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { toGroupRepresentation } from '../admin/index.ts';
import { requireOneOf } from './account-auth.ts';
import { accountCaller, accountPaths, queryFlag } from './account-request.ts';

export async function membershipRoutes(app: FastifyInstance, _options: { ctx: Context }): Promise<void> {
  for (const path of accountPaths('/groups')) {
    app.get(path, async (request) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account', 'view-groups');
      const full = queryFlag(request, 'briefRepresentation') === false;
      return caller.user.groupIds.flatMap((id) => {
        const group = caller.realm.groupsById.get(id);
        return group ? [toGroupRepresentation(caller.realm, group, { full })] : [];
      });
    });
  }
}
