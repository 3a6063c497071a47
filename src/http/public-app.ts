/**
 * The public port's Fastify instance and what every request on it goes through, before and
 * after its route: the relative-path rewrite and redirects, the client's connection (address and
 * scheme, from trusted proxies only), cookies, form bodies, the error answers, HSTS, the rate
 * limits and the request metrics. buildApp adds the routes; bench/http-path.ts measures this layer
 * alone (issue 18: what the HTTP path costs a token request apart from the grant).
 */
import type http from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { Config } from '../config/index.ts';
import './route-config.ts';
import { answerClientError, answerFrameworkError, registerErrorHandler, type ErrorPageRenderer } from './error-handler.ts';
import { registerFormParser } from './form.ts';
import { ClientConnectionResolver, registerClientConnection } from './client-connection.ts';
import { registerHsts } from './https.ts';
import type { Metrics } from './metrics.ts';
import { registerRequestMetrics } from './request-metrics.ts';
import { registerRateLimits } from './rate-limits.ts';
import { registerRelativePathRedirects, relativePathRewrite } from './relative-path.ts';

export type PublicAppConfig = Pick<Config, 'logLevel' | 'httpRelativePath' | 'proxyHeaders' | 'proxyTrustedAddresses' | 'rateLimit' | 'accessLog'>;

/** The instance, with the rewrite and the client connection resolved first, before any other hook. */
export function createPublicApp(config: PublicAppConfig, serverFactory?: (handler: http.RequestListener) => http.Server): FastifyInstance {
  const app = Fastify({
    ...(serverFactory ? { serverFactory } : {}),
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      // The query string can carry tokens (id_token_hint) and codes: log the path only.
      serializers: {
        req: (req) => ({ method: req.method, path: (req.url ?? '').split('?')[0], remoteAddress: req.ip }),
      },
    },
    // Two log lines per request cost more than a refresh's own work: request logs are for debugging.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: 1024 * 1024,
    // Forwarded headers are read by client-connection.ts, from trusted proxies only.
    trustProxy: false,
    forceCloseConnections: 'idle',
    // Keycloak's names (realms, clients, roles) run to 255 characters, and a path carries them
    // percent-encoded: up to nine characters each. Fastify's default of 100 refused longer names (414).
    routerOptions: { maxParamLength: 255 * 9 },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    rewriteUrl: relativePathRewrite(config.httpRelativePath),
  });
  registerRelativePathRedirects(app);
  registerClientConnection(app, new ClientConnectionResolver(config.proxyHeaders, config.proxyTrustedAddresses));
  return app;
}

/** Cookies, forms, error answers, HSTS, rate limits and metrics: registered before the routes, so they apply to all. */
export async function registerRequestHandling(app: FastifyInstance, config: PublicAppConfig, metrics: Metrics, renderError: ErrorPageRenderer): Promise<void> {
  await app.register(cookie);
  registerFormParser(app);
  registerErrorHandler(app, renderError);
  registerHsts(app);
  await registerRateLimits(app, config.rateLimit);
  registerRequestMetrics(app, metrics, config.accessLog);
}
