/**
 * Keycloak's browser cookies: names, paths and attributes (keycloak-compat.md §6). All are
 * scoped to `/realms/{realm}/`. HttpOnly unless JavaScript must read them; SameSite=None with
 * Secure over HTTPS (cross-site iframes need it), Lax over plain HTTP where None is refused.
 */
import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const AUTH_SESSION_ID = 'AUTH_SESSION_ID';
export const KC_AUTH_SESSION_HASH = 'KC_AUTH_SESSION_HASH';
export const KEYCLOAK_IDENTITY = 'KEYCLOAK_IDENTITY';
export const KEYCLOAK_SESSION = 'KEYCLOAK_SESSION';
export const KEYCLOAK_REMEMBER_ME = 'KEYCLOAK_REMEMBER_ME';

export interface CookieOptions {
  httpOnly: boolean;
  /** Seconds; undefined = session cookie. */
  maxAge?: number;
}

export function realmCookiePath(realm: string): string {
  return `/realms/${realm}/`;
}

export function setRealmCookie(request: FastifyRequest, reply: FastifyReply, realm: string, name: string, value: string, options: CookieOptions): void {
  const secure = request.protocol === 'https';
  reply.setCookie(name, value, {
    path: realmCookiePath(realm),
    httpOnly: options.httpOnly,
    secure,
    sameSite: secure ? 'none' : 'lax',
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
  });
}

export function clearRealmCookie(request: FastifyRequest, reply: FastifyReply, realm: string, name: string, httpOnly = true): void {
  const secure = request.protocol === 'https';
  reply.setCookie(name, '', { path: realmCookiePath(realm), httpOnly, secure, sameSite: secure ? 'none' : 'lax', maxAge: 0, expires: new Date(0) });
}
