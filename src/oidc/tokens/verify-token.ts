/**
 * Decoding the tokens clients send back: refresh tokens (HMAC) and access tokens (realm key).
 * Only signature and shape are checked here; lifetimes and sessions are checked by the caller,
 * because each endpoint answers a failed check with its own Keycloak error.
 */
import { InvalidSignature, verifyJwt, type JwtClaims } from '../../crypto/index.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';

export interface RefreshTokenClaims {
  jti: string;
  typ: 'Refresh' | 'Offline';
  iss: string;
  azp: string;
  sub: string;
  sid: string;
  iat: number;
  exp?: number;
  scope: string;
  /** A public client's DPoP-bound refresh token: the key thumbprint it may only be used with. */
  cnf?: { jkt: string };
  /** A token exchange's requested audience (`req-aud`), kept by every refresh. */
  requestedAudience?: string[];
  /** The acr of the login the token's chain began with (holdfast's tokens; Keycloak's carry none). */
  acr?: string;
}

export interface AccessTokenClaims extends JwtClaims {
  jti: string;
  typ: string;
  iss: string;
  azp: string;
  /** Absent when the client's scopes have no `sub` mapper (Keycloak 26's `basic`); the session names the user then. */
  sub?: string;
  sid?: string;
  iat: number;
  exp: number;
  scope?: string;
  acr?: string;
  cnf?: { jkt: string };
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `cnf.jkt` of a token, or undefined. */
export function confirmedKey(cnf: unknown): string | undefined {
  if (cnf === null || typeof cnf !== 'object') return undefined;
  const jkt = (cnf as Record<string, unknown>).jkt;
  return isString(jkt) ? jkt : undefined;
}

/** Claims of a well-formed refresh token signed by this realm, or undefined. */
export async function decodeRefreshToken(realm: LoadedRealm, token: string): Promise<RefreshTokenClaims | undefined> {
  let claims: JwtClaims;
  try {
    claims = await verifyJwt(token, realm.keys, 'hmac');
  } catch (error) {
    if (error instanceof InvalidSignature) return undefined;
    throw error;
  }
  const { jti, typ, iss, azp, sub, iat, exp, scope } = claims;
  // Offline tokens of Keycloak 14 and before name their session in `session_state` only; they
  // still come back after a migration from Keycloak, which falls back to it too.
  const sid = claims.sid ?? claims.session_state;
  if (typ !== 'Refresh' && typ !== 'Offline') return undefined;
  if (!isString(jti) || !isString(iss) || !isString(azp) || !isString(sub) || !isString(sid) || !isTime(iat)) return undefined;
  if (exp !== undefined && !isTime(exp)) return undefined;
  const jkt = confirmedKey(claims.cnf);
  if (claims.cnf !== undefined && jkt === undefined) return undefined;
  const requested = claims['req-aud'];
  if (requested !== undefined && !(Array.isArray(requested) && requested.every(isString))) return undefined;
  if (claims.acr !== undefined && !isString(claims.acr)) return undefined;
  return {
    jti,
    typ,
    iss,
    azp,
    sub,
    sid,
    iat,
    exp,
    scope: typeof scope === 'string' ? scope : '',
    // Kept whole (Keycloak's `kc-jkt-type` too), so that introspection shows it as issued.
    ...(jkt !== undefined ? { cnf: { ...(claims.cnf as Record<string, unknown>), jkt } } : {}),
    ...(requested !== undefined ? { requestedAudience: requested as string[] } : {}),
    ...(claims.acr !== undefined ? { acr: claims.acr as string } : {}),
  };
}

/** Claims of a well-formed access token (or ID token) signed by this realm, or undefined. */
export async function decodeAccessToken(realm: LoadedRealm, token: string): Promise<AccessTokenClaims | undefined> {
  let claims: JwtClaims;
  try {
    claims = await verifyJwt(token, realm.keys, 'asymmetric');
  } catch (error) {
    if (error instanceof InvalidSignature) return undefined;
    throw error;
  }
  const { jti, typ, iss, azp, sub, iat, exp, sid } = claims;
  if (!isString(jti) || !isString(typ) || !isString(iss) || !isString(azp) || !isTime(iat) || !isTime(exp)) return undefined;
  if (sid !== undefined && !isString(sid)) return undefined;
  if (!(isString(sub) || (sub === undefined && isString(sid)))) return undefined;
  if (claims.acr !== undefined && typeof claims.acr !== 'string') return undefined;
  if (claims.cnf !== undefined && confirmedKey(claims.cnf) === undefined) return undefined;
  return claims as AccessTokenClaims;
}
