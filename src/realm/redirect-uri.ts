/**
 * Redirect-URI rules, as Keycloak applies them: a redirect must equal a registered URI, or start
 * with the part before a registered URI's trailing `*`. Candidates are parsed and normalised
 * first, so `..` segments or a userinfo part cannot walk out of a registered prefix.
 */
import type { Client } from './types.ts';

/** Parses an absolute http(s) URI without fragment; undefined when it is not one. */
export function normaliseRedirectUri(candidate: string): string | undefined {
  if (candidate.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if (url.hash !== '' || candidate.includes('#')) return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Custom schemes (native apps) are allowed as Keycloak allows them, compared verbatim.
    return /^[a-z][a-z0-9+.-]*:/i.test(candidate) && !/^(javascript|data|vbscript|file):/i.test(candidate) ? candidate : undefined;
  }
  return url.href;
}

function resolveRegistered(registered: string, client: Client): string {
  if (registered.startsWith('/') && client.rootUrl && !client.rootUrl.startsWith('$')) return client.rootUrl.replace(/\/$/, '') + registered;
  return registered;
}

function matches(registered: string, candidate: string): boolean {
  if (registered.endsWith('*')) return candidate.startsWith(registered.slice(0, -1));
  if (candidate === registered) return true;
  // A registered URI without a path ("https://app") also matches its normalised form ("https://app/").
  const normalised = normaliseRedirectUri(registered);
  return normalised !== undefined && normalised === candidate;
}

/** The normalised redirect URI if it is allowed for the client, else undefined. */
export function verifyRedirectUri(client: Client, candidate: string, registeredUris: string[] = client.redirectUris): string | undefined {
  const normalised = normaliseRedirectUri(candidate);
  if (!normalised) return undefined;
  for (const registered of registeredUris) {
    if (matches(resolveRegistered(registered, client), normalised)) return normalised;
  }
  return undefined;
}

/** Valid post-logout redirect URIs: the `post.logout.redirect.uris` attribute, `+` meaning the redirect URIs. */
export function postLogoutRedirectUris(client: Client): string[] {
  const raw = client.attributes['post.logout.redirect.uris'];
  if (!raw) return [];
  return raw.split('##').flatMap((entry) => (entry === '+' ? client.redirectUris : [entry]));
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
