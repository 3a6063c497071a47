/**
 * `/attack-detection/brute-force/users`: a user's brute-force state in Keycloak's shape (the
 * defaults when nothing was recorded or the realm is not protected) and clearing it for one user
 * or the whole realm. The counters live with the sessions (SessionStore login failures).
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { adminScope } from '../admin-request.ts';

export async function attackDetectionRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/attack-detection/brute-force/users/:id', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const { id } = request.params as { id: string };
    const state = { disabled: false, numFailures: 0, numTemporaryLockouts: 0, lastFailure: 0, lastIPFailure: 'n/a', failedLoginNotBefore: 0 };
    if (!realm.realm.settings.bruteForceProtected) return state;
    const failure = await ctx.store.getLoginFailure(realm.realm.id, id);
    if (!failure) return state;
    const disabled = ctx.sessions.now() < failure.failedLoginNotBefore;
    return {
      ...state,
      disabled,
      ...(disabled ? { failedLoginNotBefore: failure.failedLoginNotBefore } : {}),
      numFailures: failure.numFailures,
      numTemporaryLockouts: failure.numTemporaryLockouts,
      lastFailure: failure.lastFailure,
      lastIPFailure: failure.lastIpFailure ?? 'n/a',
    };
  });

  app.delete('/admin/realms/:realm/attack-detection/brute-force/users/:id', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    await ctx.store.deleteLoginFailures(realm.realm.id, (request.params as { id: string }).id);
    return reply.code(204).send();
  });

  app.delete('/admin/realms/:realm/attack-detection/brute-force/users', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-users');
    await ctx.store.deleteLoginFailures(realm.realm.id);
    return reply.code(204).send();
  });
}
