/**
 * `response_type` as Keycloak reads it: space-separated `code`, `token`, `id_token` in any order
 * (repeats allowed), or `none` alone. What it asks for decides the flow (code, implicit, hybrid),
 * the default response mode and which checks apply, so it is parsed once into this shape.
 */

export interface ResponseType {
  code: boolean;
  token: boolean;
  idToken: boolean;
  /** `none`: only `state`, `session_state` and `iss` come back. */
  none: boolean;
}

const VALUES = new Set(['code', 'token', 'id_token', 'none']);

/** The parsed response type, or undefined when Keycloak would answer `unsupported_response_type`. */
export function parseResponseType(raw: string): ResponseType | undefined {
  const values = raw.trim().split(' ');
  if (!values.every((value) => VALUES.has(value))) return undefined;
  const none = values.includes('none');
  if (none && values.some((value) => value !== 'none')) return undefined;
  return { code: values.includes('code'), token: values.includes('token'), idToken: values.includes('id_token'), none };
}

/** Tokens sent through the browser: the implicit flow (no code) or the hybrid flow (with one). */
export function isImplicitOrHybrid(type: ResponseType): boolean {
  return type.token || type.idToken;
}

/** Only tokens, no code: the implicit flow, which has its own access-token lifespan and no PKCE. */
export function isImplicit(type: ResponseType): boolean {
  return isImplicitOrHybrid(type) && !type.code;
}

/** Where a response goes by default: the fragment when it carries tokens (OIDC Core 3.2.2.5), else the query. */
export function defaultResponseMode(type: ResponseType): 'query' | 'fragment' {
  return isImplicitOrHybrid(type) ? 'fragment' : 'query';
}
