/**
 * Builds a holdfast instance from a configuration: store, caches, services and every route.
 * It never listens; main.ts does, and tests use `app.inject()` or listen on port 0.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { systemClock, type Clock } from './clock/index.ts';
import type { Config } from './config/index.ts';
import type { Context } from './context.ts';
import './http/route-config.ts';
import { registerErrorHandler } from './http/error-handler.ts';
import { registerFormParser } from './http/form.ts';
import { healthRoutes } from './http/health.ts';
import { Metrics } from './http/metrics.ts';
import { RealmService, seedDemo, type SeedResult } from './realm/index.ts';
import { RevocationList, SessionService } from './session/index.ts';
import { LocalInvalidationBus } from './store/cache/index.ts';
import { openSessionStore } from './store/open-session-store.ts';
import { SqlRealmRepository, openSqlDatabase, type SqlDatabase } from './store/sql/index.ts';
import type { SessionStore } from './session/session-store.ts';
import { oidcRoutes } from './oidc/index.ts';

export interface BuildOptions {
  config: Config;
  clock?: Clock;
}

export interface Holdfast {
  app: FastifyInstance;
  ctx: Context;
  seed: SeedResult;
  /** Stops accepting requests, flushes pending session writes, closes the store. */
  close(): Promise<void>;
}

export async function buildApp({ config, clock = systemClock }: BuildOptions): Promise<Holdfast> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      // The query string can carry tokens (id_token_hint) and codes: log the path only.
      serializers: {
        req: (req) => ({ method: req.method, path: (req.url ?? '').split('?')[0], remoteAddress: req.ip }),
      },
    },
    // Two log lines per request cost more than a refresh's own work: request logs are for debugging.
    disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    forceCloseConnections: 'idle',
  });

  const database: SqlDatabase = await openSqlDatabase(
    config.db === 'sqlite' ? { dialect: 'sqlite', dataDir: config.dataDir } : { dialect: 'postgres', url: config.dbUrl },
  );
  const bus = new LocalInvalidationBus();
  let durable: SessionStore | undefined;
  const metrics = new Metrics(() => durable!.countUserSessions());
  const stores = openSessionStore(config, database.db, bus, metrics, (operation) => metrics.storeWrites.inc({ operation }));
  durable = stores.durable;
  const store = stores.store;
  if (config.sessions === 'memory') app.log.warn('sessions are kept in process memory (--sessions memory): a restart logs every user out, by design');
  const realms = new RealmService(new SqlRealmRepository(database.db), bus, config.cacheSize, metrics);
  const sessions = new SessionService(store, clock, config.touchIntervalSeconds, config.touchFlushMs, (error) =>
    app.log.error({ err: error }, 'writing session touches failed'),
  );
  const revocations = new RevocationList(store, bus);
  await revocations.load(sessions.now());
  const ctx: Context = { config, clock, log: app.log, metrics, realms, sessions, store, bus, revocations };

  const seed = config.demo ? await seedDemo(realms.repository, config.bootstrapAdmin, clock.nowMs()) : { seeded: false, defaultAdminPassword: false };

  await app.register(cookie);
  registerFormParser(app);
  registerErrorHandler(app);
  app.addHook('onResponse', async (request, reply) => {
    const endpoint = (request.routeOptions.config as { endpoint?: string } | undefined)?.endpoint ?? request.routeOptions.url ?? 'unknown';
    const outcome = reply.statusCode >= 500 ? 'server_error' : reply.statusCode >= 400 ? 'client_error' : 'success';
    metrics.requests.inc({ endpoint, outcome });
  });
  await app.register(healthRoutes, { ctx });
  await app.register(oidcRoutes, { ctx });

  let closed = false;
  return {
    app,
    ctx,
    seed,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await sessions.close();
      await bus.close();
      await store.close();
      await database.close();
    },
  };
}
