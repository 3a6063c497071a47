/**
 * Turns every thrown error into the response Keycloak would give. Known errors carry their own
 * status and body; framework errors (bad JSON, body too large, wrong media type, a URL that does
 * not decode) become `invalid_request`; anything else is logged and answered with an opaque 500.
 * No body ever carries a Fastify error code, a request path or a stack trace: Fastify's own
 * answers for bad URLs and for requests Node cannot parse are replaced here too, and a header
 * Node cannot write becomes a clean 500 instead of an exception in the middle of a send.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminError, ErrorPage, OAuthError, StoreUnavailable } from '../errors/index.ts';
import { PAGE_HEADERS, errorPage } from './html.ts';

function frameworkErrorDescription(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request entity too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported media type';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'Invalid JSON body';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'Request URI too long';
    default:
      return error instanceof SyntaxError ? 'Invalid JSON body' : 'Invalid request';
  }
}

/** A client error the framework detected (`FST_ERR_*` with a 4xx status), in OAuth's words. */
function sendFrameworkError(error: FastifyError, reply: FastifyReply, status: number): FastifyReply {
  return reply.code(status).send({ error: 'invalid_request', error_description: frameworkErrorDescription(error) });
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing (a path that does not
 * percent-decode, a path parameter over the length limit), which Fastify would otherwise answer
 * with its code and the request path.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  sendFrameworkError(error, reply, status);
}

const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refused (unknown method,
 * headers or URL over the size limit, malformed syntax). Answered as Node itself would, with a
 * status line and no body, instead of Fastify's JSON.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(`HTTP/1.1 ${CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
  socket.destroy(error);
}

/**
 * Headers set before an unexpected failure are dropped: a half-built response must not carry
 * its cookies or its redirect.
 */
function dropHeaders(reply: FastifyReply): void {
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
}

/** The first header Node would refuse to write (ERR_INVALID_CHAR and the like), if any. */
function unwritableHeader(reply: FastifyReply): string | undefined {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value as string);
    } catch {
      return name;
    }
  }
  return undefined;
}

/**
 * The last guard before the status line is written: a header value Node refuses would make it
 * throw mid-send, and Fastify would answer with its own error body. Validation at the edge keeps
 * such values out; if one gets through anyway, the answer is a logged, header-less 500.
 */
function guardHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const header = unwritableHeader(reply);
    if (header === undefined) return done(null, payload);
    request.log.error({ header }, 'response header cannot be written');
    dropHeaders(reply);
    reply.code(500).header('content-type', 'application/json; charset=utf-8');
    done(null, JSON.stringify({ error: 'unknown_error' }));
  });
}

/** Renders the error page of a request (in its realm's theme and language). */
export type ErrorPageRenderer = (request: FastifyRequest, text: string) => Promise<string>;

export function registerErrorHandler(app: FastifyInstance, renderError?: ErrorPageRenderer): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof OAuthError) {
      reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...error.headers });
      return reply.code(error.status).send(error.toJSON());
    }
    if (error instanceof ErrorPage) {
      const html = renderError ? await renderError(request, error.text) : errorPage(error.text);
      return reply.code(error.status).headers(PAGE_HEADERS).send(html);
    }
    if (error instanceof StoreUnavailable) {
      request.log.warn({ err: error.cause }, `${error.store} unavailable`);
      return reply.code(503).header('retry-after', '1').send({ error: 'temporarily_unavailable', error_description: error.message });
    }
    if (error instanceof AdminError) {
      return reply.code(error.status).send(error.body);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendFrameworkError(error, reply, status);
    request.log.error({ err: error }, 'unhandled error');
    dropHeaders(reply);
    return reply.code(500).send({ error: 'unknown_error' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'Not Found' });
  });
  guardHeaders(app);
}
