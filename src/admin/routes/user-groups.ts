/**
 * `/users/{id}/groups`: the groups a user is a direct member of (with `search`, `first`, `max`,
 * `briefRepresentation`), their `count`, and joining or leaving one (manage-users). A group's
 * roles and its parents' roles become the user's, so joining or leaving one that confers admin
 * power needs that power (role-grants.ts). The user's cached roles are dropped on every node.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminNotFound } from '../../errors/index.ts';
import { byName, type Group, type LoadedRealm } from '../../realm/index.ts';
import { findGroup, findUser } from '../admin-lookups.ts';
import { adminScope, paging, queryBoolean, queryString } from '../admin-request.ts';
import { toGroupRepresentation } from '../representations/group.ts';
import { requireGroupPower } from '../role-grants.ts';
import { isForeignKeyViolation } from '../realm-file/import-conflict.ts';
import { nameMatcher } from './groups.ts';

export async function userGroupRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  async function groupsOf(request: FastifyRequest, realm: LoadedRealm): Promise<Group[]> {
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    const ids = await ctx.realms.repository.groupIdsOfUser(user.id);
    const search = queryString(request, 'search');
    return ids
      .flatMap((id) => realm.groupsById.get(id) ?? [])
      .filter(nameMatcher(search, false))
      .sort(byName);
  }

  app.get('/admin/realms/:realm/users/:id/groups', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const brief = queryBoolean(request, 'briefRepresentation') !== false;
    const { first, max } = paging(request, Number.MAX_SAFE_INTEGER);
    const groups = await groupsOf(request, realm);
    return groups.slice(first, first + max).map((g) => toGroupRepresentation(realm, g, { full: !brief }));
  });

  app.get('/admin/realms/:realm/users/:id/groups/count', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    return { count: (await groupsOf(request, realm)).length };
  });

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route({
      method,
      url: '/admin/realms/:realm/users/:id/groups/:groupId',
      handler: async (request, reply) => {
        const { identity, realm } = await adminScope(ctx, request, 'manage-users');
        const { id, groupId } = request.params as { id: string; groupId: string };
        const user = await findUser(ctx, realm, id);
        const group = findGroup(realm, groupId, 'Group not found');
        requireGroupPower(identity, realm, [group.id]);
        const membership = { userId: user.id, groupId: group.id };
        try {
          if (method === 'PUT') await ctx.realms.repository.addGroupMembers([membership]);
          else await ctx.realms.repository.removeGroupMember(membership);
        } catch (error) {
          if (isForeignKeyViolation(error)) throw adminNotFound('Group not found');
          throw error;
        }
        await ctx.realms.userChanged(user.id);
        return reply.code(204).send();
      },
    });
  }
}
