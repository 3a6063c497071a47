/**
 * Form bodies (`application/x-www-form-urlencoded`) as OAuth reads them: every parameter at most
 * once ("duplicated parameter" otherwise), values as strings, size bounded by the body limit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest } from '../errors/index.ts';

export const FORM_BODY_LIMIT = 64 * 1024;

export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
}

export interface Form {
  get(name: string): string | undefined;
  /** Every value of a parameter the reader allowed to repeat (`audience` of a token exchange). */
  getAll(name: string): string[];
  has(name: string): boolean;
}

/** Parameters that may repeat, chosen from the parameters themselves (the token endpoint's grant). */
export type Repeatable = (params: URLSearchParams) => ReadonlySet<string>;

const NONE: ReadonlySet<string> = new Set();

/**
 * The request's parameters: the form body for POST, the query string for GET. Throws
 * `invalid_request` when the body is not a form or a parameter repeats.
 */
export function readParams(request: FastifyRequest, source: 'body' | 'query' | 'either' = 'body', repeatable?: Repeatable): Form {
  let params: URLSearchParams;
  if (source === 'query' || (source === 'either' && request.method === 'GET')) {
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  } else if (request.body instanceof URLSearchParams) {
    params = request.body;
  } else if (request.body === undefined || request.body === null) {
    params = new URLSearchParams();
  } else {
    throw invalidRequest('Unsupported content type: expected application/x-www-form-urlencoded', 415);
  }
  const seen = new Set<string>();
  const allowed = repeatable ? repeatable(params) : NONE;
  for (const key of params.keys()) {
    if (seen.has(key) && !allowed.has(key)) throw invalidRequest('duplicated parameter');
    seen.add(key);
  }
  return {
    get: (name) => params.get(name) ?? undefined,
    getAll: (name) => (allowed.has(name) ? params.getAll(name) : params.has(name) ? [params.get(name)!] : []),
    has: (name) => params.has(name),
  };
}

/** Like `get`, but an empty value counts as missing, as Keycloak treats it. */
export function present(form: Form, name: string): string | undefined {
  const value = form.get(name);
  return value === undefined || value === '' ? undefined : value;
}
