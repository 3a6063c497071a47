/**
 * What a grant handler receives and returns. Grants are plugins: one file each, registered by
 * name in ./index.ts; the token endpoint authenticates the client before calling one.
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import type { Form } from '../../../http/form.ts';
import type { LoadedRealm } from '../../../realm/realm-service.ts';
import type { Client } from '../../../realm/types.ts';
import type { TokenResponse } from '../../tokens/index.ts';

export interface GrantRequest {
  ctx: Context;
  realm: LoadedRealm;
  issuer: string;
  client: Client;
  form: Form;
  request: FastifyRequest;
}

export type GrantHandler = (grant: GrantRequest) => Promise<TokenResponse>;

/** Whether the client gets refresh tokens from interactive grants (`use.refresh.tokens`). */
export function usesRefreshTokens(client: Client): boolean {
  return client.attributes['use.refresh.tokens'] !== 'false';
}

/** holdfast's client attribute: the password grant opens transient (never stored) sessions. */
export const TRANSIENT_SESSION_ATTRIBUTE = 'holdfast.session.transient';
