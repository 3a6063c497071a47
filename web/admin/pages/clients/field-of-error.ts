/**
 * Which form field an admin API error is about. Keycloak's client validation answers
 * `invalid_input` with a sentence naming the setting ("A redirect URI is not a valid URI"), not a
 * field, so the console maps the sentence's subject to the field to show it next to.
 */
import { ApiError } from '../../api.ts';

const SUBJECTS: Array<[RegExp, string]> = [
  [/^A redirect URI /, 'redirectUris'],
  [/^A post-logout redirect URI /, 'postLogoutRedirectUris'],
  [/^Root URL /, 'rootUrl'],
  [/^Base URL /, 'baseUrl'],
  [/^Admin URL /, 'adminUrl'],
  [/^A web origin /i, 'webOrigins'],
  [/^Backchannel logout URL /, 'backchannelLogoutUrl'],
  [/^clientId:|^Client .* already exists/, 'clientId'],
];

export function fieldOfError(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.field) return error.field.replace(/\[\d+\]$/, '');
  return SUBJECTS.find(([pattern]) => pattern.test(error.message))?.[1];
}
