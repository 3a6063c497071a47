/**
 * Times every public request under its route's name and outcome, and writes the access log when
 * `--access-log` is on. A route's name is its declared `endpoint` (the protocol endpoints:
 * `token`, `auth`, `login`, …) or else its path template with `{param}` placeholders
 * (`/admin/realms/{realm}/users/{id}`); requests that match no route are `unknown`. The name and
 * its timer are worked out once per route when it is registered, not per request.
 *
 * An authentication that fails inside a successful page (the login form shown again with
 * "Invalid username or password.", as Keycloak answers it with 200) is marked on the request by
 * the event recorder, so it is counted as `auth_failure`, not `success`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics, RequestOutcome, RouteTimer } from './metrics.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set at registration from `endpoint` or the path template. */
    requestTimer?: RouteTimer;
  }
  interface FastifyRequest {
    /** Keycloak's error of an authentication that failed while this request ran (`invalid_user_credentials`, …). */
    authFailure: string | undefined;
  }
}

/** Records an authentication failure on the request it happened in (the event recorder calls it). */
export function markAuthFailure(request: FastifyRequest, error: string): void {
  request.authFailure = error;
}

/** `/realms/:realm/protocol/…` → `/realms/{realm}/protocol/…`: a template, the same for every realm and id. */
function templateOf(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}').replace(/\*$/, '{path}');
}

function outcomeOf(request: FastifyRequest, reply: FastifyReply): RequestOutcome {
  const status = reply.statusCode;
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return request.authFailure === undefined ? 'success' : 'auth_failure';
}

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics, accessLog: boolean): void {
  app.decorateRequest('authFailure', undefined);
  app.addHook('onRoute', (route) => {
    const endpoint = route.config?.endpoint ?? templateOf(route.url);
    route.config = { ...route.config, requestTimer: metrics.routeTimer(endpoint) };
  });
  const unknown = metrics.routeTimer('unknown');
  app.addHook('onResponse', async (request, reply) => {
    const timer = request.routeOptions.config?.requestTimer ?? unknown;
    const outcome = outcomeOf(request, reply);
    const milliseconds = reply.elapsedTime;
    timer.observe(outcome, milliseconds / 1000);
    if (accessLog) {
      // The path only: query strings carry codes and id_token_hint. No headers, so no cookies or credentials.
      request.log.info(
        {
          access: {
            method: request.method,
            endpoint: timer.endpoint,
            path: request.url.split('?', 1)[0],
            status: reply.statusCode,
            outcome,
            ms: Math.round(milliseconds * 10) / 10,
            address: request.clientConnection.address,
          },
        },
        'request',
      );
    }
  });
}
