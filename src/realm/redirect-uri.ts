/**
 * Redirect-URI rules, as Keycloak applies them: a redirect must equal a registered URI, or start
 * with the part before a registered URI's trailing `*`. A candidate is parsed strictly (RFC 3986,
 * see uri-syntax.ts) and compared as written, never normalised, so the string that passed is
 * exactly the string the browser is sent to; `..` segments disable wildcard matching, as in
 * Keycloak, so they cannot walk out of a registered prefix. A fragment is part of the string, as
 * in Keycloak: it passes under a wildcard (keycloak-js sends the app's URL, fragment and all) but
 * never matches a registered URI exactly, since registered URIs cannot have one.
 */
import { parseAbsoluteUri, type UriParts } from './uri-syntax.ts';
import type { Client } from './types.ts';

const MAX_REDIRECT_URI_LENGTH = 2048;
const WEB_SCHEME = /^https?$/i;
// A DNS name or an IP address: http(s) hosts have no use for sub-delims or percent-encoding,
// which browsers would decode into another host than the one compared here.
const WEB_HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])$/;
// Schemes that run or embed content rather than open an app: never a redirect target.
const REFUSED_SCHEMES = /^(?:javascript|data|vbscript|file)$/i;
// A `..` segment, plain or percent-encoded, after `/`, `%2f` or `%5c` (Keycloak's rule).
const PARENT_SEGMENT = /(?:\/|%2f|%5c)(?:\.|%2e){2}(?:\/|%2f|%5c|$)/i;

/**
 * The parts of `candidate` if it can be a redirect target at all: an absolute URI by RFC 3986,
 * without userinfo, and with a host when it is http(s). Custom schemes (native apps) are allowed,
 * as in Keycloak.
 */
export function parseRedirectUri(candidate: string): UriParts | undefined {
  if (candidate.length > MAX_REDIRECT_URI_LENGTH) return undefined;
  const uri = parseAbsoluteUri(candidate);
  if (!uri || uri.authority?.userinfo !== undefined || REFUSED_SCHEMES.test(uri.scheme)) return undefined;
  if (WEB_SCHEME.test(uri.scheme) && !(uri.authority && WEB_HOST.test(uri.authority.host))) return undefined;
  return uri;
}

// Keycloak's placeholders for its own base URL in a client's root URL (built-in clients use them).
const BASE_URL_PLACEHOLDER = /^\$\{auth(?:Base|Admin)Url\}/;

/**
 * A relative registered URI resolved against the client's root URL; `${authBaseUrl}` and
 * `${authAdminUrl}` (and a missing root URL) stand for holdfast's own base URL, which depends on
 * the request when the hostname is not fixed, so it is passed in.
 */
function resolveRegistered(registered: string, client: Client, authBaseUrl?: string): string {
  if (!registered.startsWith('/')) return registered;
  const root = client.rootUrl ? client.rootUrl.replace(BASE_URL_PLACEHOLDER, authBaseUrl ?? '$&') : authBaseUrl;
  if (root === undefined || root.startsWith('$')) return registered;
  return root.replace(/\/$/, '') + registered;
}

function matches(registered: string, candidate: string, uri: UriParts): boolean {
  if (registered === '*') return true;
  if (registered.endsWith('*') && !registered.includes('?')) {
    if (PARENT_SEGMENT.test(uri.path)) return false;
    const prefix = registered.slice(0, -1);
    // Keycloak cuts at the first `?`, also when it is inside the fragment.
    const withoutQuery = candidate.includes('?') ? candidate.slice(0, candidate.indexOf('?')) : candidate;
    return withoutQuery.startsWith(prefix) || (prefix.length > 1 && prefix.endsWith('/') && withoutQuery === prefix.slice(0, -1));
  }
  if (candidate === registered) return true;
  // A registered URI without a path ("https://app") also matches with the empty path written as "/".
  const origin = parseAbsoluteUri(registered);
  return origin?.authority !== undefined && origin.path === '' && origin.query === undefined && origin.fragment === undefined && candidate === `${registered}/`;
}

/**
 * `candidate` itself if it is an allowed redirect for the client, else undefined. A custom-scheme
 * candidate must match a registered URI of that scheme: `*` alone covers http(s) only.
 */
export function verifyRedirectUri(client: Client, candidate: string, registeredUris: string[] = client.redirectUris, authBaseUrl?: string): string | undefined {
  const uri = parseRedirectUri(candidate);
  if (!uri) return undefined;
  const web = WEB_SCHEME.test(uri.scheme);
  for (const entry of registeredUris) {
    const registered = resolveRegistered(entry, client, authBaseUrl);
    if (matches(registered, candidate, uri) && (web || registered.startsWith(`${uri.scheme}:`))) return candidate;
  }
  return undefined;
}

/**
 * The redirect URI of a request that names none: the client's only registered URI, when it has
 * no wildcard and is itself a valid redirect target.
 */
export function defaultRedirectUri(client: Client): string | undefined {
  if (client.redirectUris.length !== 1 || client.redirectUris[0].includes('*')) return undefined;
  const only = resolveRegistered(client.redirectUris[0], client);
  return parseRedirectUri(only) ? only : undefined;
}

/**
 * Valid post-logout redirect URIs: the `post.logout.redirect.uris` attribute, `+` meaning the
 * redirect URIs. As in Keycloak, a client without the attribute (or with an empty one) gets `+`,
 * and `-` as the first entry means none.
 */
export function postLogoutRedirectUris(client: Client): string[] {
  const entries = (client.attributes['post.logout.redirect.uris'] ?? '').split('##').filter((entry) => entry.trim() !== '');
  if (entries.length === 0) return client.redirectUris;
  if (entries[0] === '-') return [];
  return entries.flatMap((entry) => (entry === '+' ? client.redirectUris : [entry]));
}

/** Where the authorization endpoint puts a query into `redirectUri`: before its fragment. */
export function withQuery(redirectUri: string, query: string): string {
  if (query === '') return redirectUri;
  const hash = redirectUri.indexOf('#');
  const base = hash < 0 ? redirectUri : redirectUri.slice(0, hash);
  const fragment = hash < 0 ? '' : redirectUri.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}${query}${fragment}`;
}

/** Response parameters in the fragment: after the app's own fragment, if it has one (as Keycloak does). */
export function withFragment(redirectUri: string, params: string): string {
  const hash = redirectUri.indexOf('#');
  if (hash < 0) return `${redirectUri}#${params}`;
  return hash === redirectUri.length - 1 ? `${redirectUri}${params}` : `${redirectUri}&${params}`;
}

const originsByClient = new WeakMap<Client, string[]>();

/**
 * Origins allowed for CORS: `webOrigins`, with `+` meaning the redirect URIs' origins and `*`
 * anything. Computed once per loaded client: every token carries them (`allowed-origins`).
 */
export function allowedOrigins(client: Client): string[] {
  let origins = originsByClient.get(client);
  if (!origins) {
    origins = computeAllowedOrigins(client);
    originsByClient.set(client, origins);
  }
  return origins;
}

function computeAllowedOrigins(client: Client): string[] {
  const origins = new Set<string>();
  for (const entry of client.webOrigins) {
    if (entry === '+') {
      for (const uri of client.redirectUris) {
        try {
          const url = new URL(resolveRegistered(uri.replace(/\*$/, ''), client));
          if (url.protocol === 'http:' || url.protocol === 'https:') origins.add(url.origin);
        } catch {
          // Not an absolute URI: contributes no origin.
        }
      }
    } else {
      origins.add(entry);
    }
  }
  return [...origins];
}

export function isOriginAllowed(client: Client, origin: string): boolean {
  const allowed = allowedOrigins(client);
  return allowed.includes('*') || allowed.includes(origin);
}
