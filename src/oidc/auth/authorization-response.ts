/**
 * Sends an authorization response (code, tokens or error) back to the client's redirect URI in
 * the requested response mode: query string, fragment, or an auto-submitted form (`form_post`).
 * A redirect URI with a fragment keeps it, as in Keycloak: the query goes before it, fragment
 * parameters after it.
 */
import type { FastifyReply } from 'fastify';
import { PAGE_HEADERS, escapeHtml, page } from '../../http/html.ts';
import { withFragment, withQuery } from '../../realm/index.ts';

export type ResponseMode = 'query' | 'fragment' | 'form_post';

export interface ResponseTarget {
  redirectUri: string;
  responseMode: ResponseMode;
}

export function sendAuthorizationResponse(reply: FastifyReply, target: ResponseTarget, params: Record<string, string | undefined>): FastifyReply {
  const entries = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
  reply.header('cache-control', 'no-store');
  if (target.responseMode === 'form_post') {
    const inputs = entries.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
    return reply
      .code(200)
      .headers({ ...PAGE_HEADERS, 'content-security-policy': "frame-ancestors 'self'; object-src 'none';" })
      .send(
        page(
          'Submit This Form',
          `<form method="post" action="${escapeHtml(target.redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form><script>document.forms[0].submit()</script>`,
        ),
      );
  }
  const encoded = new URLSearchParams(entries).toString();
  const location = target.responseMode === 'fragment' ? withFragment(target.redirectUri, encoded) : withQuery(target.redirectUri, encoded);
  return reply.redirect(location, 302);
}

/** An error sent to the client's redirect URI (once that URI is known to be the client's). */
export class AuthorizationError extends Error {
  constructor(
    readonly target: ResponseTarget & { state?: string },
    readonly error: string,
    /** Keycloak sends none with `unsupported_response_type`. */
    readonly description?: string,
  ) {
    super(description === undefined ? error : `${error}: ${description}`);
  }
}
