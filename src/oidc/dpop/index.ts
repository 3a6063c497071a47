/**
 * DPoP (RFC 9449) as Keycloak 26 applies it. A client with `dpop.bound.access.tokens` = `true`
 * must send a proof with every token request and use its tokens with the `DPoP` scheme; any
 * other client may send one, and then its tokens are bound too. A bound access token has `typ`
 * `DPoP` and `cnf.jkt`; a public client's refresh token is bound to the same key (a confidential
 * client's is not: its own authentication already constrains it, RFC 9449 §5).
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { DPoPProofError } from '../../crypto/index.ts';
import { invalidGrant, invalidRequest } from '../../errors/index.ts';
import type { EventBuilder } from '../../events/index.ts';
import type { Client } from '../../realm/types.ts';
import { checkDPoPProof, requestUri, type DPoPProof } from './proof-check.ts';

export { checkDPoPProof, requestUri, type DPoPProof } from './proof-check.ts';
export { DPoPProofError } from '../../crypto/index.ts';

export const DPOP_BOUND_ATTRIBUTE = 'dpop.bound.access.tokens';
/** The `typ` of a bound access token and the scheme it is sent with (case-sensitive, unlike `Bearer`). */
export const DPOP_TOKEN_TYPE = 'DPoP';

/** Keycloak's event error for a refused proof; the response says `invalid_request` (Keycloak 26.7). */
const INVALID_DPOP_PROOF = 'invalid_dpop_proof';

export function requiresDPoP(client: Client): boolean {
  return client.attributes[DPOP_BOUND_ATTRIBUTE] === 'true';
}

/** The `DPoP` header, or undefined; several headers are never one proof. */
export function proofHeader(request: FastifyRequest): string | undefined {
  const value = request.headers.dpop;
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The token endpoint's proof (Keycloak's handleDPoPHeader): checked when the client requires
 * DPoP or sent a proof, after client authentication and before the grant. Undefined when there
 * is none to check; a bad one answers 400 `invalid_request` with Keycloak's text.
 */
export async function tokenRequestProof(ctx: Context, request: FastifyRequest, client: Client, event: EventBuilder): Promise<DPoPProof | undefined> {
  const proof = proofHeader(request);
  if (proof === undefined && !requiresDPoP(client)) return undefined;
  try {
    return await checkDPoPProof(ctx, { proof, uri: requestUri(ctx, request), method: request.method });
  } catch (error) {
    if (!(error instanceof DPoPProofError)) throw error;
    event.detail('reason', error.message).error(INVALID_DPOP_PROOF);
    throw invalidRequest(error.message);
  }
}

/**
 * A bound refresh token may only be used with a proof of its key (Keycloak: `invalid_grant`,
 * with the binding check's text).
 */
export function checkRefreshBinding(boundTo: string | undefined, proof: DPoPProof | undefined): void {
  if (boundTo === undefined) return;
  if (!proof) throw invalidGrant('DPoP proof is missing');
  if (proof.thumbprint !== boundTo) throw invalidGrant("DPoP confirmation doesn't match DPoP proof");
}

/**
 * `dpop_jkt` of the authorization request (RFC 9449 §10): the code may only be redeemed with a
 * proof of that key.
 */
export function checkAuthorizationCodeBinding(dpopJkt: string | undefined, proof: DPoPProof | undefined): void {
  if (dpopJkt === undefined) return;
  if (!proof) throw invalidRequest('DPoP Proof missing');
  if (proof.thumbprint !== dpopJkt) throw invalidRequest('DPoP Proof public key thumbprint does not match dpop_jkt');
}

/** How a resource request sent its access token: the scheme decides whether a proof must come with it. */
export interface PresentedToken {
  token: string;
  scheme: 'Bearer' | 'DPoP';
}

/**
 * Whether a valid access token may be used on this resource request (Keycloak's DPoP verifier):
 * a bound token only with the `DPoP` scheme and a proof of its key whose `ath` is its hash, a
 * `DPoP`-scheme request only with a bound token, and a client that requires DPoP never with
 * `Bearer`. Undefined when it may; otherwise why not (for the event).
 */
export async function resourceBindingFailure(
  ctx: Context,
  request: FastifyRequest,
  presented: PresentedToken,
  claims: { typ: string; cnf?: { jkt: string } },
  client: Client,
): Promise<string | undefined> {
  const bound = claims.typ === DPOP_TOKEN_TYPE;
  const dpopScheme = presented.scheme === 'DPoP';
  if (!dpopScheme && bound) return 'The access token type is DPoP but Authorization Header is not DPoP';
  if (dpopScheme && !bound) return 'The access token type is not DPoP but Authorization Header is DPoP';
  if (requiresDPoP(client) && !dpopScheme) return 'This client requires DPoP, but no DPoP Authorization header is present';
  if (!dpopScheme) return undefined;
  let proof: DPoPProof;
  try {
    proof = await checkDPoPProof(ctx, { proof: proofHeader(request), uri: requestUri(ctx, request), method: request.method, accessToken: presented.token });
  } catch (error) {
    if (error instanceof DPoPProofError) return error.message;
    throw error;
  }
  if (claims.cnf === undefined) return 'No DPoP confirmation in access token';
  if (claims.cnf.jkt !== proof.thumbprint) return "DPoP confirmation doesn't match DPoP proof";
  return undefined;
}
