/**
 * The caller's sessions (`/account/sessions`, `/account/sessions/devices`) and signing them out:
 * every other session (`DELETE /account/sessions`), all of them with `?current=true`, or one by
 * id (`DELETE /account/sessions/{id}`), which ends only a session of the caller and answers 204
 * whatever the id, so nobody learns which ids exist. Ended sessions notify their back-channel
 * clients and record a LOGOUT event, as other logouts do. Lists show online sessions that are
 * still valid, even before the sweeper has run.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { isUserSessionValid, type UserSession } from '../session/index.ts';
import { requireOneOf, type AccountCaller } from './account-auth.ts';
import { accountCaller, accountPaths, queryFlag } from './account-request.ts';
import { groupDevices, sessionRepresentation } from './account-representations.ts';
import { deviceOf } from './device-activity.ts';

/** Keycloak's session ids are UUIDs; anything much longer is not one of ours. */
const MAX_SESSION_ID = 255;

async function liveSessions(ctx: Context, caller: AccountCaller): Promise<UserSession[]> {
  const now = ctx.sessions.now();
  const sessions = await ctx.store.listUserSessionsOfUser(caller.realm.realm.id, caller.user.user.id, false);
  return sessions.filter((s) => isUserSessionValid(caller.realm.realm.settings, s, now)).sort((a, b) => a.started - b.started || (a.id < b.id ? -1 : 1));
}

/** The caller's session for "current": the one their token belongs to. */
const currentId = (caller: AccountCaller): string | undefined => caller.session?.id;

export async function sessionRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  async function endSession(caller: AccountCaller, session: UserSession, ipAddress: string): Promise<void> {
    if (!(await ctx.sessions.end(session))) return;
    ctx.logoutNotifier.sessionEnded(caller.realm, caller.issuer, session);
    ctx.events.recorder.user(caller.realm, 'LOGOUT', ipAddress).client(caller.accountClient.clientId).user(session.userId).session(session.id).success();
  }

  for (const path of accountPaths('/sessions')) {
    app.get(path, async (request) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account', 'view-profile');
      return (await liveSessions(ctx, caller)).map((s) => sessionRepresentation(caller.realm, s, deviceOf(s.userAgent), currentId(caller)));
    });

    app.delete(path, async (request, reply) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account');
      const removeCurrent = queryFlag(request, 'current') === true;
      for (const session of await liveSessions(ctx, caller)) {
        if (removeCurrent || session.id !== currentId(caller)) await endSession(caller, session, request.clientConnection.address);
      }
      return reply.code(204).send();
    });
  }

  for (const path of accountPaths('/sessions/devices')) {
    app.get(path, async (request) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account', 'view-profile');
      const sessions = (await liveSessions(ctx, caller)).map((session) => ({ session, device: deviceOf(session.userAgent) }));
      return groupDevices(caller.realm, sessions, currentId(caller));
    });
  }

  app.delete('/realms/:realm/account/sessions/:id', async (request, reply) => {
    const caller = accountCaller(request);
    requireOneOf(caller, 'manage-account');
    const { id } = request.params as { id: string };
    if (id.length <= MAX_SESSION_ID) {
      const session = await ctx.store.getUserSession(id, false);
      if (session && session.realmId === caller.realm.realm.id && session.userId === caller.user.user.id) await endSession(caller, session, request.clientConnection.address);
    }
    return reply.code(204).send();
  });
}
