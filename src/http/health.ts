/**
 * Liveness, readiness and metrics, served by the management interface (management.ts), never on
 * the public port. Ready means the node is not shutting down and the store answers now (checked
 * per request, with a short bound so a hung database makes readiness fail rather than hang the
 * probe). On PostgreSQL a node is not ready while its primary's commits wait for a synchronous
 * standby that does not confirm them, and says so; a multi-site node adds whether its primary has
 * a synchronous standby, and every host's role (replication-watch.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../context.ts';

const READY_TIMEOUT_MS = 2000;

/** Set when SIGTERM arrived: readiness answers DOWN while the listeners still serve (`--shutdown-delay`). */
export interface Lifecycle {
  draining: boolean;
}

export async function healthRoutes(app: FastifyInstance, { ctx, lifecycle }: { ctx: Context; lifecycle: Lifecycle }): Promise<void> {
  app.get('/health/live', async () => ({ status: 'UP', checks: [] }));

  const ready = async (_request: unknown, reply: FastifyReply) => {
    if (lifecycle.draining) {
      reply.code(503);
      return { status: 'DOWN', checks: [{ name: 'shutdown', status: 'DOWN' }] };
    }
    const replication = ctx.cluster.replication();
    const hosts = replication?.multiSite ? { hosts: replication.hosts } : {};
    if (replication?.blocked) {
      // Every write would wait for its bound and answer 503: traffic belongs elsewhere.
      reply.code(503);
      return {
        status: 'DOWN',
        checks: [
          { name: 'session store', status: 'DOWN', data: { reason: replication.blocked, ...hosts } },
          { name: 'synchronous standby', status: 'DOWN', data: { synchronous: false, detail: replication.detail } },
        ],
      };
    }
    try {
      await Promise.race([
        ctx.store.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('store did not answer in time')), READY_TIMEOUT_MS).unref()),
      ]);
      // Reported, never a reason to be unready: a site that survived a failover runs without a standby.
      const standby = replication?.multiSite ? [{ name: 'synchronous standby', status: 'UP', data: { synchronous: replication.synchronous, detail: replication.detail, ...hosts } }] : [];
      return { status: 'UP', checks: [{ name: 'session store', status: 'UP' }, ...standby, ...(await replicaCheck(ctx))] };
    } catch (error) {
      reply.code(503);
      return { status: 'DOWN', checks: [{ name: 'session store', status: 'DOWN', data: { reason: (error as Error).message, ...hosts } }] };
    }
  };
  app.get('/health/ready', ready);
  // Routes are registered once the app is built, so a process that answers has started.
  app.get('/health/started', async () => ({ status: 'UP', checks: [] }));
  app.get('/health', ready);
}

/**
 * With `--sessions-redis-wait-replicas`: whether writes are confirmed in another site right now.
 * Still UP when they stand alone (after a site loss the surviving site must serve), but said, so
 * an operator sees that the guarantee waits for the replica to come back.
 */
async function replicaCheck(ctx: Context): Promise<Array<{ name: string; status: 'UP'; data: Record<string, unknown> }>> {
  const confirmation = await ctx.store.replicaConfirmation?.();
  if (!confirmation || confirmation.required === 0) return [];
  const { required, online } = confirmation;
  const writes = online >= required ? 'confirmed by replicas' : online === 0 ? 'standing alone on the master' : `confirmed by ${online} of ${required} replicas`;
  return [{ name: 'session replicas', status: 'UP', data: { required, online, writes } }];
}

export async function metricsRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
