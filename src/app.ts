/**
 * Builds a holdfast instance from a configuration: store, caches, services and every route, on
 * the public app (HTTP, and HTTPS with a certificate) and the management app (health, metrics).
 * It never listens; main.ts does (src/http/listeners.ts), and tests use `app.inject()` /
 * `management.inject()` or listen on port 0.
 */
import type https from 'node:https';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock/index.ts';
import type { Config } from './config/index.ts';
import type { Context } from './context.ts';
import { createPublicApp, registerRequestHandling } from './http/public-app.ts';
import { loadTlsCredentials, serverFactoryWithHttps } from './http/https.ts';
import { buildManagement } from './http/management.ts';
import { Metrics } from './http/metrics.ts';
import { RealmService, seedDemo, upgradeBuiltIns, type SeedResult } from './realm/index.ts';
import { ExpirySweeper, LoginAttempts, RevocationList, SessionService } from './session/index.ts';
import { PasswordWork, newId } from './crypto/index.ts';
import { joinCluster, singleNode } from './cluster/index.ts';
import { openSessionStore } from './store/open-session-store.ts';
import { SqlEventStore, SqlRealmRepository, openKeyRing, openSqlDatabase, type SqlDatabase } from './store/sql/index.ts';
import { openEvents } from './events/index.ts';
import { MailSender } from './mail/index.ts';
import type { SessionStore } from './session/session-store.ts';
import { oidcRoutes } from './oidc/index.ts';
import { ClientKeys } from './oidc/client-auth/index.ts';
import { HOLDFAST_VERSION } from './cli/version.ts';
import { LogoutNotifier } from './oidc/backchannel-logout/index.ts';
import { adminRoutes } from './admin/index.ts';
import { actionTokenRoutes } from './action-tokens/index.ts';
import { openLinkMail } from './authn/index.ts';
import { accountRoutes } from './account/index.ts';
import { storedConsents } from './account/stored-consents.ts';
import { adminConsoleRoutes } from './console/admin-console.ts';
import { accountConsole, accountConsoleResourceRoutes } from './console/account-console.ts';
import { Themes, themeResourceRoutes, renderErrorPage } from './theme/index.ts';

export interface BuildOptions {
  config: Config;
  clock?: Clock;
  /**
   * This process is worker `index` of a node run with `--workers N` (src/cluster/worker-pool.ts);
   * `prepares` for the one start that migrates and seeds the database.
   */
  worker?: { index: number; prepares: boolean };
}

export interface Holdfast {
  /** The public routes (OIDC, login pages, admin API). */
  app: FastifyInstance;
  /** The management interface: `/health/*`, `/metrics`. */
  management: FastifyInstance;
  /** The HTTPS server answering with `app`'s routes, when a certificate is configured. */
  httpsServer?: https.Server;
  ctx: Context;
  seed: SeedResult;
  /** The periodic expiry job (started); `runOnce()` runs a pass now. */
  expirySweeper: ExpirySweeper;
  /** The realm database (and, with `--sessions sql`, the session store's). */
  database: SqlDatabase;
  /**
   * Turns readiness DOWN and waits `--shutdown-delay` seconds while still serving, then stops
   * accepting requests, flushes pending session writes, closes the store.
   */
  close(): Promise<void>;
}

export async function buildApp({ config, clock = systemClock, worker }: BuildOptions): Promise<Holdfast> {
  const servers = serverFactoryWithHttps(loadTlsCredentials(config));
  const app = createPublicApp(config, servers.serverFactory);

  // PostgreSQL: one id in `schema_node` and in the cluster's `node` table, so `holdfast show-schema` tells which live node runs which release.
  const clusterNodeId = newId();
  const prepares = !worker || worker.prepares;
  const database: SqlDatabase = await openSqlDatabase(
    config.db === 'sqlite'
      ? { dialect: 'sqlite', dataDir: config.dataDir, node: { appVersion: HOLDFAST_VERSION }, log: (line) => app.log.info(line), prepare: prepares }
      : { dialect: 'postgres', url: config.dbUrl, poolSize: config.dbPoolSize, queryTimeoutMs: config.dbQueryTimeoutMs, node: { appVersion: HOLDFAST_VERSION, nodeId: clusterNodeId }, log: (line) => app.log.info(line) },
  );
  const keyRing = await openKeyRing(database, config, (message) => app.log.warn(message)).catch(async (error) => {
    await database.close();
    throw error;
  });
  const cluster =
    config.db === 'postgres'
      ? await joinCluster({ url: config.dbUrl!, db: database.db, nodeId: clusterNodeId, route: config.nodeRoute, address: `${config.httpHost}:${config.httpPort}`, log: app.log })
      : singleNode(config.nodeRoute, app.log, worker);
  const bus = cluster.bus;
  let durable: SessionStore | undefined;
  const metrics = new Metrics({ countSessions: () => durable!.countUserSessions(), liveRoutes: () => cluster.liveRoutes(), route: cluster.route });
  const stores = openSessionStore(config, database.db, bus, metrics, metrics);
  durable = stores.durable;
  const store = stores.store;
  if (config.sessions === 'memory') app.log.warn('sessions are kept in process memory (--sessions memory): a restart logs every user out, by design');
  const realms = new RealmService(new SqlRealmRepository(database.db, keyRing), bus, config.cacheSize, metrics, clock);
  const sessions = new SessionService(store, clock, config.touchIntervalSeconds, config.touchFlushMs, (error) =>
    app.log.error({ err: error }, 'writing session touches failed'),
  );
  const revocations = new RevocationList(store, bus, () => sessions.now(), (error) => app.log.error({ err: error }, 'reloading revoked tokens failed'));
  await revocations.load();
  const passwords = new PasswordWork();
  const loginAttempts = new LoginAttempts(store, clock);
  const events = openEvents({
    store: new SqlEventStore(database.db),
    realms: realms.repository,
    log: app.log,
    clock,
    registry: metrics.registry,
    jobs: cluster.jobs,
    expiryIntervalSeconds: config.expiryIntervalSeconds,
  });
  const mail = new MailSender({ log: app.log, registry: metrics.registry });
  const themes = new Themes(config.themesDir, app.log);
  const ctx: Context = { config, clock, log: app.log, metrics, realms, sessions, store, bus, revocations, passwords, loginAttempts, cluster, events, mail, themes,
    clientKeys: new ClientKeys(clock, config.outboundAddresses),
    logoutNotifier: new LogoutNotifier(clock, app.log, metrics, config.outboundAddresses),
  };
  const expirySweeper = new ExpirySweeper({
    store,
    clock,
    intervalSeconds: config.expiryIntervalSeconds,
    batchSize: config.expiryBatchSize,
    // A stored deadline lags memory by at most the touch bound plus one flush of the touch writer.
    marginSeconds: config.touchIntervalSeconds + Math.ceil(config.touchFlushMs / 1000),
    onRemoved: (count) => metrics.expiredRemoved.inc(count),
    onRun: (result) => metrics.sweeperRun(result === undefined ? 'failed' : result.complete ? 'complete' : 'partial', result?.removed ?? 0, clock.nowMs() / 1000),
    onError: (error) => app.log.error({ err: error }, 'removing expired sessions failed'),
    exclusive: (run) => cluster.jobs.runSingleton('expiry-sweeper', run),
  });

  // Under the schema lock: nodes starting together add the built-ins once, and seed an empty database once.
  const upgraded = prepares ? await database.exclusive(() => upgradeBuiltIns(realms.repository)) : [];
  if (upgraded.length > 0) app.log.info({ realms: upgraded }, 'added the built-in clients and roles of this release to existing realms');
  const seed = config.demo && prepares
    ? await database.exclusive(() => seedDemo(realms.repository, config.bootstrapAdmin, clock.nowMs()))
    : { seeded: false, defaultAdminPassword: false };

  await registerRequestHandling(app, config, metrics, (request, text) => renderErrorPage(ctx, request, text));
  await app.register(oidcRoutes, { ctx });
  await app.register(actionTokenRoutes, { ctx, openLinkMail });
  await app.register(themeResourceRoutes, { ctx });
  await app.register(adminRoutes, { ctx });
  await app.register(accountRoutes, { ctx, consents: storedConsents(ctx), console: accountConsole(ctx) });
  await app.register(accountConsoleResourceRoutes);
  await app.register(adminConsoleRoutes, { ctx });

  const lifecycle = { draining: false };
  const management = await buildManagement(ctx, lifecycle);
  const httpsServer = servers.httpsServer();

  expirySweeper.start();
  let closed = false;
  return {
    app,
    management,
    httpsServer,
    ctx,
    seed,
    expirySweeper,
    database,
    async close() {
      if (closed) return;
      closed = true;
      await expirySweeper.stop();
      // Out of the live set first, so peers stop pinning new logins here while requests drain.
      await cluster.leave();
      // Load balancers see readiness DOWN and stop sending before a listener closes, so nothing
      // they send is refused (POSTs that reached a node are never retried by them).
      lifecycle.draining = true;
      if (config.shutdownDelaySeconds > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelaySeconds * 1000));
      httpsServer?.close();
      httpsServer?.closeIdleConnections();
      await app.close();
      httpsServer?.closeAllConnections();
      await management.close();
      ctx.logoutNotifier.close();
      await events.close();
      await mail.close();
      await sessions.close();
      await cluster.close();
      await store.close();
      await database.close();
    },
  };
}
