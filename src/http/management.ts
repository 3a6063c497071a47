/**
 * The management interface (Keycloak's, on `--http-management-port`, 9000 by default): health
 * probes and Prometheus metrics on a port of their own, so the public port never shows them and
 * a firewall can keep them internal. `--health-enabled=false` / `--metrics-enabled=false` remove
 * the routes; with both off main.ts does not open the port at all. No rate limits apply here.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { answerClientError, answerFrameworkError, registerErrorHandler } from './error-handler.ts';
import { healthRoutes, metricsRoutes, type Lifecycle } from './health.ts';
import { registerRelativePathRedirects, relativePathRewrite } from './relative-path.ts';

export async function buildManagement(ctx: Context, lifecycle: Lifecycle): Promise<FastifyInstance> {
  const management = Fastify({
    loggerInstance: ctx.log,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    forceCloseConnections: true,
    // The same answers as the public port for requests that never reach a route.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Keycloak's --http-management-relative-path, by default the public one.
    rewriteUrl: relativePathRewrite(ctx.config.httpManagementRelativePath),
  });
  registerRelativePathRedirects(management);
  registerErrorHandler(management);
  if (ctx.config.healthEnabled) await management.register(healthRoutes, { ctx, lifecycle });
  if (ctx.config.metricsEnabled) await management.register(metricsRoutes, { ctx });
  return management;
}
