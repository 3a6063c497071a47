/**
 * `/default-groups`: the groups every user created through the admin API (and every new service
 * account) joins, as in Keycloak: list (view-realm), add and remove (manage-realm). Making a group
 * a default group hands its roles to future users, so it needs the admin power the group confers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminNotFound } from '../../errors/index.ts';
import { byName, defaultGroupIds, groupPath, type LoadedRealm } from '../../realm/index.ts';
import { findGroup } from '../admin-lookups.ts';
import { adminScope } from '../admin-request.ts';
import { writeGroups } from '../group-writes.ts';
import { toGroupRepresentation } from '../representations/group.ts';
import { requireGroupPower } from '../role-grants.ts';

const groupOfPath = (request: FastifyRequest, realm: LoadedRealm) => findGroup(realm, (request.params as { groupId: string }).groupId, 'Group not found');

export async function defaultGroupRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/default-groups', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const groups = defaultGroupIds(realm).map((id) => realm.groupsById.get(id)!);
    return groups
      .map((group) => ({ group, path: groupPath(realm, group) }))
      .sort((a, b) => byName({ name: a.path }, { name: b.path }))
      .map(({ group }) => toGroupRepresentation(realm, group, { full: false }));
  });

  for (const [method, defaultGroup] of [
    ['PUT', true],
    ['DELETE', false],
  ] as const) {
    app.route({
      method,
      url: '/admin/realms/:realm/default-groups/:groupId',
      handler: async (request, reply) => {
        const { identity, realm } = await adminScope(ctx, request, 'manage-realm');
        const group = groupOfPath(request, realm);
        if (defaultGroup) requireGroupPower(identity, realm, [group.id]);
        await writeGroups(ctx, realm, undefined, async (tx, fresh) => {
          const current = fresh.groupsById.get(group.id);
          if (!current) throw adminNotFound('Group not found');
          if (current.defaultGroup !== defaultGroup) await tx.updateGroup({ ...current, defaultGroup });
        });
        return reply.code(204).send();
      },
    });
  }
}
