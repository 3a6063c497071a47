/**
 * The URL checks Keycloak's admin API makes on a client's representation before it stores it,
 * with its messages (`invalid_input`, one sentence naming the setting), so a console shows the
 * same words next to the same field. A browser is sent to these URLs, so schemes that run script
 * are refused everywhere; the root URL must be absolute, the others may be relative to it.
 */
import { AdminError } from '../errors/index.ts';
import type { ClientRepresentation } from './representations/client.ts';

const ILLEGAL_SCHEME = /^\s*(javascript|data|vbscript):/i;
/** Characters a URI (RFC 3986) never holds unescaped; Java's URI parser refuses them too. */
const NOT_URI = /[\s\u0000-\u001f\u007f<>"{}|\\^`]/;
/** The placeholders Keycloak resolves in client URLs; they are checked as if resolved. */
const PLACEHOLDER = /\$\{(authBaseUrl|authAdminUrl)\}/g;

type Problem = 'invalid' | 'scheme';

function problemOf(value: string, { absolute, wildcards }: { absolute: boolean; wildcards: boolean }): Problem | undefined {
  if (ILLEGAL_SCHEME.test(value)) return 'scheme';
  let text = value.replace(PLACEHOLDER, 'http://placeholder.invalid');
  if (wildcards) text = text.replace(/\*/g, 'x');
  if (NOT_URI.test(text)) return 'invalid';
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text);
  if (absolute && !scheme) return 'invalid';
  try {
    new URL(text, 'http://base.invalid/');
  } catch {
    return 'invalid';
  }
  return undefined;
}

function refuse(message: string): never {
  throw new AdminError(400, { error: 'invalid_input', error_description: message });
}

function checkUrl(value: string | undefined, name: string, absolute: boolean): void {
  if (value === undefined || value === '') return;
  const problem = problemOf(value, { absolute, wildcards: false });
  if (problem === 'scheme') refuse(`${name} uses an illegal scheme`);
  if (problem) refuse(`${name} is not a valid URL`);
}

function checkUris(values: readonly string[], name: string, special: readonly string[], fragments: boolean): void {
  for (const value of values) {
    if (special.includes(value)) continue;
    const problem = problemOf(value, { absolute: false, wildcards: true });
    if (problem === 'scheme') refuse(`${name} uses an illegal scheme`);
    if (problem) refuse(`${name} is not a valid URI`);
    if (!fragments && value.includes('#')) refuse(`${name} must not contain an URL fragment`);
  }
}

/** Throws Keycloak's 400 for the first URL setting of `rep` it would refuse. */
export function checkClientUrls(rep: ClientRepresentation): void {
  checkUrl(rep.rootUrl, 'Root URL', true);
  checkUrl(rep.baseUrl, 'Base URL', false);
  checkUrl(rep.adminUrl, 'Admin URL', false);
  checkUrl(rep.attributes?.['backchannel.logout.url'], 'Backchannel logout URL', false);
  checkUris(rep.redirectUris ?? [], 'A redirect URI', ['*'], false);
  const postLogout = rep.attributes?.['post.logout.redirect.uris'];
  if (postLogout) checkUris(postLogout.split('##').filter((u) => u !== ''), 'A post-logout redirect URI', ['+', '*'], true);
}
