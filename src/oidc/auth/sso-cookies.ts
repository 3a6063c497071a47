/**
 * The SSO cookies that let a browser skip the login form: `KEYCLOAK_IDENTITY` (HttpOnly, an
 * HS512 JWT naming the session) and `KEYCLOAK_SESSION` (readable by the status iframe: the
 * base64url SHA-256 of the session id, as in Keycloak 26). Session cookies unless remember-me.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { sha256Base64Url, signHmac, verifyJwt } from '../../crypto/index.ts';
import { KEYCLOAK_IDENTITY, KEYCLOAK_SESSION, clearRealmCookie, setRealmCookie } from '../../http/cookies.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import { ssoCookieLifespan } from '../../session/lifetimes.ts';
import type { UserSession } from '../../session/types.ts';

export async function setSsoCookies(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, issuer: string, session: UserSession): Promise<void> {
  const now = ctx.sessions.now();
  const lifespan = ssoCookieLifespan(realm.realm.settings, session.rememberMe);
  const exp = now + lifespan;
  const identity = await signHmac(
    { exp, iat: now, jti: randomUUID(), iss: issuer, sub: session.userId, typ: 'Serialized-ID', sid: session.id, state_checker: randomUUID() },
    realm.keys,
  );
  const maxAge = session.rememberMe ? lifespan : undefined;
  setRealmCookie(request, reply, issuer, KEYCLOAK_IDENTITY, identity, { httpOnly: true, maxAge });
  setRealmCookie(request, reply, issuer, KEYCLOAK_SESSION, sha256Base64Url(session.id), { httpOnly: false, maxAge });
}

export function clearSsoCookies(request: FastifyRequest, reply: FastifyReply, issuer: string): void {
  clearRealmCookie(request, reply, issuer, KEYCLOAK_IDENTITY);
  clearRealmCookie(request, reply, issuer, KEYCLOAK_SESSION, false);
}

/** The browser's current SSO session, if its identity cookie is genuine and the session still valid. */
export async function readSsoSession(ctx: Context, request: FastifyRequest, realm: LoadedRealm, issuer: string): Promise<UserSession | undefined> {
  const cookie = request.cookies[KEYCLOAK_IDENTITY];
  if (!cookie) return undefined;
  let claims;
  try {
    claims = await verifyJwt(cookie, realm.keys, 'hmac');
  } catch {
    return undefined;
  }
  // Older Keycloak releases named the session `session_state` in the cookie; a migrated browser may still hold one.
  const sid = claims.sid ?? claims.session_state;
  if (claims.typ !== 'Serialized-ID' || claims.iss !== issuer || typeof sid !== 'string') return undefined;
  if (typeof claims.exp === 'number' && ctx.sessions.now() > claims.exp) return undefined;
  const session = await ctx.sessions.findValid(realm.realm.settings, sid, false);
  if (!session || session.userId !== claims.sub || session.realmId !== realm.realm.id) return undefined;
  return session;
}
