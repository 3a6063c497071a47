/**
 * What a grant handler receives and returns. Grants are plugins: one file each, registered by
 * name in ./index.ts; the token endpoint authenticates the client before calling one.
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../../context.ts';
import type { Form } from '../../../http/form.ts';
import type { LoadedRealm } from '../../../realm/realm-service.ts';
import type { Client } from '../../../realm/types.ts';
import { issueTokens, type IssueRequest, type TokenResponse } from '../../tokens/index.ts';
import type { EventBuilder } from '../../../events/index.ts';
import type { DPoPProof } from '../../dpop/index.ts';

export interface GrantRequest {
  ctx: Context;
  realm: LoadedRealm;
  issuer: string;
  client: Client;
  form: Form;
  request: FastifyRequest;
  /** The grant's event (LOGIN, CODE_TO_TOKEN, …): steps add what they learn; success is recorded here on issue. */
  event: EventBuilder;
  /** The request's checked DPoP proof, if it sent one (or its client requires one). */
  dpop?: DPoPProof;
}

export type GrantHandler = (grant: GrantRequest) => Promise<TokenResponse>;

/**
 * The grant's token response. Realm, issuer and client come from the request; the time is read
 * here, at issue, so `iat` is never earlier than a session the grant has just created.
 */
export async function respondWithTokens(grant: GrantRequest, fields: Omit<IssueRequest, 'realm' | 'issuer' | 'client' | 'now' | 'dpopThumbprint'>): Promise<TokenResponse> {
  const { response, accessClaims, refreshClaims } = await issueTokens({ realm: grant.realm, issuer: grant.issuer, client: grant.client, now: grant.ctx.sessions.now(), dpopThumbprint: grant.dpop?.thumbprint, ...fields });
  const { event } = grant;
  event.user(fields.user.user.id).session(fields.transientSession ? undefined : fields.session?.id).detail('token_id', String(accessClaims.jti));
  // A refresh names the token it was given as refresh_token_id and the new one as updated_refresh_token_id.
  if (refreshClaims) event.detail(fields.grant === 'rt' ? 'updated_refresh_token_id' : 'refresh_token_id', String(refreshClaims.jti)).detail('refresh_token_type', String(refreshClaims.typ));
  event.detail('scope', response.scope).detail('username', fields.user.user.username).success();
  return response;
}

/** Whether the client gets refresh tokens from interactive grants (`use.refresh.tokens`). */
export function usesRefreshTokens(client: Client): boolean {
  return client.attributes['use.refresh.tokens'] !== 'false';
}

/** holdfast's client attribute: the password grant opens transient (never stored) sessions. */
export const TRANSIENT_SESSION_ATTRIBUTE = 'holdfast.session.transient';
