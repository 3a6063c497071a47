/**
 * The parameters an authorization request really carries, as Keycloak 26 assembles them before
 * any other check: the query (or form) parameters, overlaid by a request object (`request`, or a
 * `request_uri` the client registered) or by a pushed request (`request_uri` =
 * `urn:ietf:params:oauth:request_uri:…`, see pushed-requests.ts). A value in the request object
 * or pushed request wins over the query's; a parameter it lacks keeps the query's value, except
 * after a pushed request object, whose parameters alone count. A `response_type` that differs
 * between the two is reported to the client later (`Parameter response_type does not match`).
 *
 * The client's `request.object.required` (`not required`, `request or request_uri`,
 * `request only`, `request_uri only`) is enforced here too. Every failure is Keycloak's
 * "Invalid Request" for the caller to show; its reason goes to the log.
 */
import type { Context } from '../../context.ts';
import type { Form } from '../../http/form.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import { RequestObjectRefused, fetchRequestObject, verifyRequestObject, type RequestObjectParams } from './request-object.ts';
import { isPushedRequestUri, readPushedRequest, type PushedRequestRef } from './pushed-requests.ts';

export interface RequestParameters {
  params: Form;
  /** The pushed request it came through (its `request_uri` named one), spent when the login completes. */
  pushedRequest?: PushedRequestRef;
  /** A disagreement Keycloak answers at the redirect URI once that is known. */
  invalidRequestMessage?: string;
}

export const formOf = (params: Map<string, string>): Form => ({
  get: (name) => params.get(name),
  getAll: (name) => (params.has(name) ? [params.get(name)!] : []),
  has: (name) => params.has(name),
});

/** The parameters of `form` named in `names` that it has. */
function mapOf(form: Form, names: Iterable<string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of names) {
    const value = form.get(name);
    if (value !== undefined) map.set(name, value);
  }
  return map;
}

/** A `max_age` that is no integer fails Keycloak's parser (its reason, logged, is Java's). */
function checkMaxAge(maxAge: string | undefined): void {
  if (maxAge !== undefined && !/^-?\d{1,10}$/.test(maxAge)) throw new RequestObjectRefused(`For input string: "${maxAge}"`);
}

/**
 * `query` with `overlay` on top, or `overlay` alone (`replaceAll`, after a pushed request
 * object) but for the query's `client_id`, `request_uri` and a `response_type` the overlay lacks.
 * The two `client_id`s were already checked to agree.
 */
function merge(query: Form, names: readonly string[], overlay: RequestObjectParams, replaceAll: boolean): { params: Form; invalidRequestMessage?: string } {
  checkMaxAge(overlay.get('max_age'));
  const merged = replaceAll ? mapOf(query, ['client_id', 'request_uri', 'response_type']) : mapOf(query, names);
  const queryType = query.get('response_type');
  const objectType = overlay.get('response_type');
  const mismatch = !replaceAll && queryType !== undefined && objectType !== undefined && queryType !== objectType;
  for (const [name, value] of overlay) {
    if (name !== 'client_id') merged.set(name, value);
  }
  return { params: formOf(merged), invalidRequestMessage: mismatch ? 'Parameter response_type does not match' : undefined };
}

function checkRequired(client: Client, request: string | undefined, requestUri: string | undefined): void {
  const required = client.attributes['request.object.required'];
  if (required === 'request or request_uri' && request === undefined && requestUri === undefined) throw new RequestObjectRefused("Client is required to use 'request' or 'request_uri' parameter.");
  if (required === 'request only' && request === undefined) throw new RequestObjectRefused("Client is required to use 'request' parameter.");
  if (required === 'request_uri only' && requestUri === undefined) throw new RequestObjectRefused("Client is required to use 'request_uri' parameter.");
}

/**
 * The authorization request's parameters for `client`, whose `client_id` the query named.
 * `names` are the parameters the authorization endpoint reads. Throws RequestObjectRefused.
 */
export async function resolveRequestParameters(ctx: Context, realm: LoadedRealm, client: Client, query: Form, names: readonly string[]): Promise<RequestParameters> {
  const request = query.get('request');
  const requestUri = query.get('request_uri');
  // OpenID Connect wants response_type in the query itself: without it Keycloak reads no request
  // object, and the query alone is answered (`Missing parameter: response_type`). PAR is exempt.
  const oidcRequest = (query.get('scope') ?? '').split(' ').includes('openid');
  if (oidcRequest && query.get('response_type') === undefined && !(requestUri !== undefined && isPushedRequestUri(requestUri))) return { params: query };
  if (request !== undefined && requestUri !== undefined) throw new RequestObjectRefused("Illegal to use both 'request' and 'request_uri' parameters together");
  checkRequired(client, request, requestUri);
  if (request !== undefined) return merge(query, names, await verifyRequestObject(ctx, realm, client, request), false);
  if (requestUri === undefined) return { params: query };
  if (isPushedRequestUri(requestUri)) {
    const pushed = await readPushedRequest(ctx, client, requestUri);
    return { ...merge(query, names, pushed.params, pushed.fromRequestObject), pushedRequest: pushed.ref };
  }
  const fetched = await fetchRequestObject(ctx, client, requestUri);
  return merge(query, names, await verifyRequestObject(ctx, realm, client, fetched), false);
}

/**
 * The parameters a client pushes to the PAR endpoint (RFC 9126), checked as Keycloak's PAR
 * endpoint checks them: a `request_uri` is refused by the caller before; `request.object.required`
 * applies; a pushed request object's parameters alone count.
 */
export async function resolvePushedParameters(ctx: Context, realm: LoadedRealm, client: Client, form: Form, names: readonly string[]): Promise<{ params: Map<string, string>; fromRequestObject: boolean }> {
  const request = form.get('request');
  // Keycloak's parser fails on a max_age that is no integer before it looks at anything else.
  checkMaxAge(form.get('max_age'));
  checkRequired(client, request, undefined);
  if (request === undefined) return { params: mapOf(form, names), fromRequestObject: false };
  const object = await verifyRequestObject(ctx, realm, client, request);
  const params = new Map(object);
  if (!params.has('response_type') && form.get('response_type') !== undefined) params.set('response_type', form.get('response_type')!);
  params.set('client_id', client.clientId);
  return { params, fromRequestObject: true };
}
