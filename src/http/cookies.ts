/**
 * Keycloak's browser cookies: names, paths and attributes (keycloak-compat.md §6). All are
 * scoped to the realm's public path (`/realms/{realm}/`, taken from the issuer). HttpOnly unless
 * JavaScript must read them. Where browsers treat the realm's public URL as a secure context they
 * are `Secure; SameSite=None`, so that an application on another site still gets them in
 * keycloak-js's hidden iframes (silent SSO, login status); elsewhere `SameSite=Lax`, since
 * browsers refuse None without Secure.
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

const LOOPBACK_HOST = /^(localhost\.?|.+\.localhost\.?|127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}|\[::1\])$/i;
// Safari, unlike the browsers whose user agents merely mention it, refuses Secure cookies over
// plain HTTP even on localhost (WebKit bug 232088), so there it is not a secure context.
const SAFARI = /Version\/[\d.]+ .*Safari\//;

/**
 * Keycloak's SecureContextResolver: an https public URL, or a loopback host (localhost,
 * *.localhost, 127.0.0.0/8, [::1]) over plain HTTP except in Safari.
 */
export function isSecureContext(publicUrl: string, userAgent: string | undefined): boolean {
  const url = new URL(publicUrl);
  if (url.protocol === 'https:') return true;
  if (userAgent && SAFARI.test(userAgent) && !userAgent.includes('Chrome/')) return false;
  return LOOPBACK_HOST.test(url.hostname);
}

// RFC 6265 cookie-octets, minus `%` so that a value that has one still round-trips through decoding.
const NEEDS_ENCODING = /[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]|%/;

/**
 * Keycloak writes cookie values as they are (`KEYCLOAK_SESSION` is `realm/user/session`, with
 * slashes); the `cookie` package's own default percent-encodes every non-alphanumeric character,
 * so values are only encoded when they hold something a cookie cannot carry.
 */
function encodeCookieValue(value: string): string {
  return NEEDS_ENCODING.test(value) ? encodeURIComponent(value) : value;
}

function attributes(request: FastifyRequest, issuer: string) {
  const secure = isSecureContext(issuer, request.headers['user-agent']);
  return { path: `${new URL(issuer).pathname}/`, secure, sameSite: secure ? ('none' as const) : ('lax' as const), encode: encodeCookieValue };
}

/** Sets a cookie for the realm whose public URL (the issuer) is `issuer`. */
export function setRealmCookie(request: FastifyRequest, reply: FastifyReply, issuer: string, name: string, value: string, options: CookieOptions): void {
  reply.setCookie(name, value, {
    ...attributes(request, issuer),
    httpOnly: options.httpOnly,
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
  });
}

export function clearRealmCookie(request: FastifyRequest, reply: FastifyReply, issuer: string, name: string, httpOnly = true): void {
  reply.setCookie(name, '', { ...attributes(request, issuer), httpOnly, maxAge: 0, expires: new Date(0) });
}
