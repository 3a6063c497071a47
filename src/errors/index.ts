/**
 * Every error a client can see. OAuth endpoints answer `{error, error_description}` with the
 * status Keycloak uses; admin endpoints answer `{errorMessage}` or `{error}`. Anything that is
 * not one of these is a bug: it is logged and becomes a bare `server_error` / 500.
 */

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
  }
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const invalidRequest = (description: string, status = 400) => new OAuthError(status, 'invalid_request', description);
export const invalidGrant = (description: string, status = 400) => new OAuthError(status, 'invalid_grant', description);
export const invalidClient = (description: string, status = 401) => new OAuthError(status, 'invalid_client', description);
export const unauthorizedClient = (description: string, status = 400) => new OAuthError(status, 'unauthorized_client', description);
export const unsupportedGrantType = () => new OAuthError(400, 'unsupported_grant_type', 'Unsupported grant_type');
export const invalidScope = (description: string) => new OAuthError(400, 'invalid_scope', description);
export const notAllowed = (description: string) => new OAuthError(400, 'not_allowed', description);
export const accessDenied = (description: string, status = 403) => new OAuthError(status, 'access_denied', description);
export const invalidToken = (description: string, status = 401) => new OAuthError(status, 'invalid_token', description);
export const unsupportedTokenType = () => new OAuthError(400, 'unsupported_token_type', 'Unsupported token type');
export const serviceUnavailable = (description: string, retryAfterSeconds?: number) =>
  new OAuthError(503, 'temporarily_unavailable', description, retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) });

/** Wrong client credentials: one message whatever the cause, so callers cannot probe clients. */
export const INVALID_CLIENT_CREDENTIALS = 'Invalid client or Invalid client credentials';

/**
 * An error that a browser sees as Keycloak's error page (login and logout flows), never a
 * redirect to an unverified URI.
 */
export class ErrorPage extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text);
  }
}

/** Admin REST API errors: Keycloak's bodies are `{"errorMessage": …}` or `{"error": …}`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.errorMessage ?? body.error));
  }
}
export const adminConflict = (message: string) => new AdminError(409, { errorMessage: message });
export const adminNotFound = (message: string) => new AdminError(404, { error: message });
export const adminBadRequest = (message: string, field?: string) =>
  new AdminError(400, field ? { field, errorMessage: message, params: [] } : { errorMessage: message });

/**
 * A store cannot answer now (Redis down, PostgreSQL restarting, SQLite busy or full): requests
 * that need it get 503 `temporarily_unavailable` at once, and may be retried.
 */
export class StoreUnavailable extends Error {
  constructor(
    cause: unknown,
    readonly store: 'session store' | 'database' = 'session store',
  ) {
    super(`${store === 'database' ? 'Database' : 'Session store'} unavailable`, { cause });
  }
}
