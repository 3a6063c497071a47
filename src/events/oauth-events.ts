/**
 * How the OAuth endpoints turn their outcomes into Keycloak's events: which type each grant
 * records, the `error` string when a step threw without naming one, and the client-authentication
 * failures Keycloak tells apart in events (never in responses).
 */
import { OAuthError } from '../errors/index.ts';
import type { LoadedRealm } from '../realm/index.ts';
import type { EventBuilder } from './event-builder.ts';
import type { EventType } from './event-types.ts';

export const GRANT_EVENTS: Readonly<Record<string, EventType>> = {
  authorization_code: 'CODE_TO_TOKEN',
  refresh_token: 'REFRESH_TOKEN',
  password: 'LOGIN',
  client_credentials: 'CLIENT_LOGIN',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'TOKEN_EXCHANGE',
  'urn:ietf:params:oauth:grant-type:device_code': 'OAUTH2_DEVICE_CODE_TO_TOKEN',
};

/** The error a failed `invalid_grant` of each type stands for when the step did not say. */
const INVALID_GRANT_ERRORS: Partial<Record<EventType, string>> = {
  CODE_TO_TOKEN: 'invalid_code',
  REFRESH_TOKEN: 'invalid_token',
  LOGIN: 'invalid_user_credentials',
  INTROSPECT_TOKEN: 'invalid_token',
  LOGOUT: 'invalid_token',
};

/**
 * Records the failure a request ended with, unless a step already recorded a precise one. Only
 * answers the client could see become events; a bug (500) is logged by the error handler instead.
 */
export function recordFailure(event: EventBuilder, error: unknown): void {
  if (event.done || !(error instanceof OAuthError)) return;
  event.detail('reason', error.description);
  const code = error.error === 'invalid_grant' ? (INVALID_GRANT_ERRORS[event.type] ?? 'invalid_grant') : error.error;
  event.error(code === 'unauthorized_client' || code === 'invalid_client' ? 'invalid_client' : code);
}

/** A failed client authentication: Keycloak's event says which of its causes it was. */
export function recordClientAuthFailure(event: EventBuilder, realm: LoadedRealm, error: unknown): void {
  if (!(error instanceof OAuthError)) return;
  const client = event.clientId === undefined ? undefined : realm.clientsByClientId.get(event.clientId);
  if (error.error === 'invalid_request') return recordFailure(event, error);
  event.error(!client ? 'client_not_found' : !client.enabled ? 'client_disabled' : 'invalid_client_credentials');
}
