/**
 * `GET /admin/serverinfo`: what the server implements (see server-info/server-info.ts). Any
 * administrator may read it, as in Keycloak; the host's system, CPU and memory facts only go to
 * administrators of the master realm.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { forbidden, hasAnyAdminRole } from '../admin-auth.ts';
import { serverInfo } from '../server-info/server-info.ts';

export async function serverInfoRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const startedAtMs = ctx.clock.nowMs();
  app.get('/admin/serverinfo', async (request) => {
    const identity = request.adminIdentity!;
    if (!hasAnyAdminRole(identity, identity.realm)) throw forbidden();
    const host = identity.realm.realm.name === 'master';
    const loginThemes = ctx.themes.names().map((name) => ({ name, locales: ctx.themes.login(name).locales }));
    return serverInfo({ nowMs: ctx.clock.nowMs(), startedAtMs, host, loginThemes });
  });
}
