/**
 * A strict RFC 3986 parser for absolute URIs, for the URIs holdfast sends browsers to. WHATWG
 * parsing (`new URL`) repairs its input — it drops tabs and newlines, reads `\` as `/` in http(s)
 * URIs, decodes `%2e` in hosts — so a check on its result says nothing about what another parser
 * makes of the raw string. This one repairs nothing: a string is either exactly a URI by the RFC's
 * grammar, or undefined. Only ASCII printable characters can pass, so whatever passes is also a
 * valid HTTP header value.
 */
import { isIPv6 } from 'node:net';

export interface UriParts {
  /** As written (its case is kept: callers compare raw strings). */
  scheme: string;
  /** Present when the URI has `//`; may be empty (`file:///x`). */
  authority?: { userinfo?: string; host: string; port?: string };
  path: string;
  query?: string;
  fragment?: string;
}

const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED = 'A-Za-z0-9\\-._~';
const SUB_DELIMS = "!$&'()*+,;=";
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const USERINFO = new RegExp(`^(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*$`);
const REG_NAME = new RegExp(`^(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})*$`);
const PORT = /^[0-9]*$/;
const PATH = new RegExp(`^(?:${PCHAR}|/)*$`);
const QUERY_OR_FRAGMENT = new RegExp(`^(?:${PCHAR}|[/?])*$`);
// RFC 3986 appendix B, split on the first delimiters; each part is then checked by its own rule.
const COMPONENTS = /^([^:/?#]+):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

function parseAuthority(authority: string): UriParts['authority'] | undefined {
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = authority.slice(at + 1);
  if (userinfo !== undefined && !USERINFO.test(userinfo)) return undefined;
  let host: string;
  let port: string | undefined;
  if (hostPort.startsWith('[')) {
    // IP-literal: only IPv6 (no zone identifiers, no IPvFuture).
    const close = hostPort.indexOf(']');
    if (close < 0 || !isIPv6(hostPort.slice(1, close))) return undefined;
    host = hostPort.slice(0, close + 1);
    const rest = hostPort.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    port = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    port = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
    if (!REG_NAME.test(host)) return undefined;
  }
  if (port !== undefined && !PORT.test(port)) return undefined;
  return { userinfo, host, port };
}

/** The parts of `candidate` if it is an absolute URI by RFC 3986's grammar, else undefined. */
export function parseAbsoluteUri(candidate: string): UriParts | undefined {
  const match = COMPONENTS.exec(candidate);
  if (!match) return undefined;
  const [, scheme, rawAuthority, path, query, fragment] = match;
  if (!SCHEME.test(scheme) || !PATH.test(path)) return undefined;
  if (query !== undefined && !QUERY_OR_FRAGMENT.test(query)) return undefined;
  if (fragment !== undefined && !QUERY_OR_FRAGMENT.test(fragment)) return undefined;
  if (rawAuthority === undefined) return { scheme, path, query, fragment };
  if (path !== '' && !path.startsWith('/')) return undefined;
  const authority = parseAuthority(rawAuthority);
  return authority ? { scheme, authority, path, query, fragment } : undefined;
}
