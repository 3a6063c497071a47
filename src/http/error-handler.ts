/**
 * Turns every thrown error into the response Keycloak would give. Known errors carry their own
 * status and body; framework errors (bad JSON, body too large, wrong media type) become
 * `invalid_request`; anything else is logged and answered with an opaque 500.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AdminError, ErrorPage, OAuthError, StoreUnavailable } from '../errors/index.ts';
import { PAGE_HEADERS, errorPage } from './html.ts';

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof OAuthError) {
      reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...error.headers });
      return reply.code(error.status).send(error.toJSON());
    }
    if (error instanceof ErrorPage) {
      return reply.code(error.status).headers(PAGE_HEADERS).send(errorPage(error.text));
    }
    if (error instanceof StoreUnavailable) {
      request.log.warn({ err: error.cause }, `${error.store} unavailable`);
      return reply.code(503).header('retry-after', '1').send({ error: 'temporarily_unavailable', error_description: error.message });
    }
    if (error instanceof AdminError) {
      return reply.code(error.status).send(error.body);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const description =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'Request entity too large'
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Unsupported media type'
            : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
              ? 'Invalid JSON body'
              : 'Invalid request';
      return reply.code(status).send({ error: 'invalid_request', error_description: description });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'unknown_error' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'Not Found' });
  });
}
