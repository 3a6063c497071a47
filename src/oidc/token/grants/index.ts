/** The grant types the token endpoint accepts, by `grant_type`. */
import type { GrantHandler } from './grant.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { passwordGrant } from './password.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { TOKEN_EXCHANGE_GRANT_TYPE, TOKEN_EXCHANGE_REPEATABLE, tokenExchangeGrant } from './token-exchange.ts';
import { DEVICE_CODE_GRANT, deviceCodeGrant } from './device-code.ts';

export const GRANTS: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  password: passwordGrant,
  client_credentials: clientCredentialsGrant,
  [DEVICE_CODE_GRANT]: deviceCodeGrant,
  [TOKEN_EXCHANGE_GRANT_TYPE]: tokenExchangeGrant,
};

/** Parameters a grant reads as lists (the others may appear once: "duplicated parameter"). */
export const REPEATABLE_PARAMETERS: Readonly<Record<string, ReadonlySet<string>>> = {
  [TOKEN_EXCHANGE_GRANT_TYPE]: TOKEN_EXCHANGE_REPEATABLE,
};
export type { GrantHandler, GrantRequest } from './grant.ts';
