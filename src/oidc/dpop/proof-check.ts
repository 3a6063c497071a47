/**
 * A DPoP proof (RFC 9449) as Keycloak 26 checks one, in its order and with its texts: header and
 * signature (src/crypto), the mandatory claims, `htu` against this request's URL (scheme and host
 * case-insensitive, query and fragment ignored) and `htm` against its method, `iat` within
 * Keycloak's fixed window (10 s proof lifetime, 15 s clock skew), `ath` when the proof goes with
 * an access token, and the `jti` claimed once in the shared store (every node, across restarts)
 * until the window has passed, so a replayed proof is refused everywhere.
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { nowSeconds } from '../../clock/index.ts';
import { accessTokenHash, constantTimeEqual, DPoPProofError, sha256Hex, verifyDPoPProof } from '../../crypto/index.ts';
import { baseUrl } from '../../http/base-url.ts';

/** Keycloak 26.7's fixed proof lifetime and allowed clock skew (not configurable there either). */
export const PROOF_LIFETIME_SECONDS = 10;
export const ALLOWED_CLOCK_SKEW_SECONDS = 15;

export interface DPoPProof {
  /** The proof key's JWK SHA-256 thumbprint (`cnf.jkt`). */
  thumbprint: string;
}

/** The parts of a URI that Keycloak compares, or undefined when it would not parse it. */
interface ComparableUri {
  scheme: string;
  authority: string;
  path: string;
}

// The scheme is optional: a relative `htu` parses, and then matches nothing.
const URI_SHAPE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?[^#]*)?(?:#.*)?$/u;
// Characters a URI can never hold (RFC 3986), and a `%` that starts no escape.
const ILLEGAL = /[\s"<>\\^`{|}\x00-\x1f\x7f]|%(?![0-9A-Fa-f]{2})/u;

function comparableUri(text: string): ComparableUri | undefined {
  if (ILLEGAL.test(text) || text.startsWith(':')) return undefined;
  const match = URI_SHAPE.exec(text);
  if (!match) return undefined;
  const authority = match[2] ?? '';
  const at = authority.lastIndexOf('@');
  return { scheme: (match[1] ?? '').toLowerCase(), authority: authority.slice(0, at + 1) + authority.slice(at + 1).toLowerCase(), path: match[3] };
}

/** This request's URL as the client addressed it: the public base URL and the path, without the query. */
export function requestUri(ctx: Context, request: FastifyRequest): string {
  const path = request.url.split('?', 1)[0];
  return baseUrl(request, ctx.config) + path;
}

function checkHttp(htu: string, htm: string, uri: string, method: string): void {
  const claimed = comparableUri(htu);
  if (!claimed) throw new DPoPProofError('Malformed HTTP URL in DPoP proof');
  const actual = comparableUri(uri);
  if (!actual || claimed.scheme !== actual.scheme || claimed.authority !== actual.authority || claimed.path !== actual.path) {
    throw new DPoPProofError('DPoP HTTP URL mismatch');
  }
  if (htm !== method) throw new DPoPProofError('DPoP HTTP method mismatch');
}

/** A claims set Keycloak cannot read into its proof class: as unreadable as a broken header. */
const unreadable = () => new DPoPProofError('DPoP header verification failure');

/** A text claim as Keycloak reads it: numbers and booleans become text, objects cannot. */
function textClaim(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw unreadable();
}

/** `iat` as Keycloak reads it: whole seconds, from a number or a numeric text. */
function timeClaim(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(number)) throw unreadable();
  return Math.trunc(number);
}

const nonBlank = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

export interface ProofTarget {
  /** The `DPoP` header as received (undefined when absent). */
  proof: string | undefined;
  uri: string;
  method: string;
  /** The access token sent with the proof (resource requests): `ath` must be its hash. */
  accessToken?: string;
}

/** Checks a proof for one request; throws a DPoPProofError with Keycloak's text. */
export async function checkDPoPProof(ctx: Context, target: ProofTarget): Promise<DPoPProof> {
  if (target.proof === undefined || target.proof.trim() === '') throw new DPoPProofError('DPoP proof is missing');
  const { claims, thumbprint } = await verifyDPoPProof(target.proof.trim());
  const iat = timeClaim(claims.iat);
  const [jti, htu, htm, ath] = [textClaim(claims.jti), textClaim(claims.htu), textClaim(claims.htm), textClaim(claims.ath)];
  if (iat === undefined || !nonBlank(jti) || !nonBlank(htm) || !nonBlank(htu)) throw new DPoPProofError('DPoP mandatory claims are missing');
  checkHttp(htu, htm, target.uri, target.method);
  const now = nowSeconds(ctx.clock);
  if (!(iat <= now + ALLOWED_CLOCK_SKEW_SECONDS && iat >= now - PROOF_LIFETIME_SECONDS - ALLOWED_CLOCK_SKEW_SECONDS)) throw new DPoPProofError('DPoP proof is not active');
  // Keyed by jti and htu as in Keycloak; held until no clock could still accept the proof.
  const expiresAt = iat + PROOF_LIFETIME_SECONDS + ALLOWED_CLOCK_SKEW_SECONDS;
  if (!(await ctx.store.claimOnce(`dpop:${sha256Hex(`${jti}\n${htu}`)}`, expiresAt, now))) throw new DPoPProofError('DPoP proof has already been used');
  if (target.accessToken !== undefined) {
    if (ath === undefined) throw new DPoPProofError('No access token hash in DPoP proof');
    if (!constantTimeEqual(ath, accessTokenHash(target.accessToken))) throw new DPoPProofError('DPoP proof access token hash mismatch');
  }
  return { thumbprint };
}
