/**
 * Sessions through the admin API: a user's sessions and offline sessions, a client's sessions
 * and counts, the realm's per-client statistics, ending one session, a user's sessions or all of
 * a realm's. Listings show only sessions that are still valid, even before the sweeper has run.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { adminNotFound } from '../../errors/index.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import { isUserSessionValid, type UserSession } from '../../session/index.ts';
import { findClient, findUser } from '../admin-lookups.ts';
import { adminScope, paging, queryBoolean } from '../admin-request.ts';
import { endRealmSessions, endUserSessions } from '../realm-sessions.ts';
import { realmUrl } from '../../http/base-url.ts';
import { toUserSessionRepresentation } from '../representations/session.ts';

async function represent(ctx: Context, realm: LoadedRealm, sessions: UserSession[], onlyClient?: string): Promise<Record<string, unknown>[]> {
  const now = ctx.sessions.now();
  const out: Record<string, unknown>[] = [];
  for (const session of sessions) {
    if (!isUserSessionValid(realm.realm.settings, session, now)) continue;
    const user = await ctx.realms.getUserView(realm, session.userId);
    if (user) out.push(toUserSessionRepresentation(realm, session, user.user.username, onlyClient));
  }
  return out;
}

export async function sessionRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/users/:id/sessions', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    return represent(ctx, realm, await ctx.store.listUserSessionsOfUser(realm.realm.id, user.id, false));
  });

  app.get('/admin/realms/:realm/users/:id/offline-sessions/:client', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const { id, client: clientUuid } = request.params as { id: string; client: string };
    const user = await findUser(ctx, realm, id);
    const client = findClient(realm, clientUuid, 'Client not found');
    const sessions = await ctx.store.listUserSessionsOfUser(realm.realm.id, user.id, true);
    return represent(ctx, realm, sessions.filter((s) => s.clientSessions.has(client.id)), client.id);
  });

  app.post('/admin/realms/:realm/users/:id/logout', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    const user = await findUser(ctx, realm, (request.params as { id: string }).id);
    // Not-before revokes every token issued so far, offline ones included; online sessions go too.
    await ctx.realms.repository.updateUser({ ...user, notBefore: ctx.sessions.now() });
    await endUserSessions(ctx, realm, user.id, realmUrl(request, ctx.config, realm.realm.name));
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });

  for (const [suffix, offline] of [
    ['user-sessions', false],
    ['offline-sessions', true],
  ] as const) {
    app.get(`/admin/realms/:realm/clients/:id/${suffix}`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-clients');
      const client = findClient(realm, (request.params as { id: string }).id);
      const { first, max } = paging(request, 100);
      const sessions = await ctx.store.listUserSessionsOfClient(realm.realm.id, client.id, offline, first, max);
      return represent(ctx, realm, sessions, offline ? client.id : undefined);
    });
  }

  for (const [suffix, offline] of [
    ['session-count', false],
    ['offline-session-count', true],
  ] as const) {
    app.get(`/admin/realms/:realm/clients/:id/${suffix}`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-clients');
      const client = findClient(realm, (request.params as { id: string }).id);
      return { count: await ctx.store.countUserSessionsOfClient(realm.realm.id, client.id, offline) };
    });
  }

  app.get('/admin/realms/:realm/client-session-stats', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const clients = [...realm.clientsById.values()];
    const counts = await ctx.store.countUserSessionsPerClient(
      realm.realm.id,
      clients.map((client) => client.id),
    );
    const stats: Array<Record<string, string>> = [];
    for (const client of clients) {
      const count = counts.get(client.id);
      // Keycloak sends the counts as strings and leaves out clients without sessions.
      if (count) stats.push({ id: client.id, clientId: client.clientId, active: String(count.online), offline: String(count.offline) });
    }
    return stats;
  });

  app.delete('/admin/realms/:realm/sessions/:session', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    const { session: id } = request.params as { session: string };
    const offlineOnly = queryBoolean(request, 'isOffline') === true;
    const session = await ctx.store.getUserSession(id, offlineOnly);
    // Keycloak's message, typo included.
    if (!session || session.realmId !== realm.realm.id) throw adminNotFound('Sesssion not found');
    if (await ctx.sessions.end(session)) ctx.logoutNotifier.sessionEnded(realm, realmUrl(request, ctx.config, realm.realm.name), session);
    // Ending a login also ends the offline session it created (same id), as the issue asks.
    if (!offlineOnly) await ctx.sessions.end({ id, offline: true });
    return reply.code(204).send();
  });

  app.post('/admin/realms/:realm/logout-all', async (request) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    // Keycloak's logout-all sets the realm's not-before (revoking every token, offline ones too)
    // and removes the online sessions.
    await ctx.realms.repository.updateRealm({ ...realm.realm, settings: { ...realm.realm.settings, notBefore: ctx.sessions.now() } });
    await ctx.realms.realmChanged(realm.realm.id);
    // Keycloak sends no back-channel logout here (only its legacy adapter push); holdfast does.
    await endRealmSessions(ctx, realm, false, realmUrl(request, ctx.config, realm.realm.name));
    return {};
  });
}
