/**
 * OpenID Connect Front-Channel Logout 1.0, as Keycloak does it: a browser logout renders a page
 * with one hidden iframe per client of the session that has `frontchannelLogout` on and a
 * `frontchannel.logout.url` (with `iss` and `sid` when `frontchannel.logout.session.required` is
 * `true`), then moves on to the post-logout redirect once the frames have loaded, or offers a
 * link. Those clients are left out of the back-channel notice for this logout.
 */
import type { FastifyReply } from 'fastify';
import { PAGE_HEADERS, escapeHtml, page } from '../../http/html.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { UserSession } from '../../session/types.ts';

export interface FrontchannelLogout {
  /** Client UUIDs reached through the page. */
  clients: Set<string>;
  urls: string[];
}

export function frontchannelLogouts(realm: LoadedRealm, issuer: string, session: UserSession): FrontchannelLogout {
  const clients = new Set<string>();
  const urls: string[] = [];
  for (const clientUuid of session.clientSessions.keys()) {
    const client = realm.clientsById.get(clientUuid);
    const base = client?.attributes['frontchannel.logout.url']?.trim();
    if (!client || !client.enabled || !client.frontchannelLogout || !base) continue;
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      continue;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
    if (client.attributes['frontchannel.logout.session.required'] === 'true') {
      url.searchParams.set('iss', issuer);
      url.searchParams.set('sid', session.id);
    }
    clients.add(client.id);
    urls.push(url.href);
  }
  return { clients, urls };
}

/** The page with the frames; only their origins may be framed, and nothing may frame it. */
export function sendFrontchannelLogout(reply: FastifyReply, urls: string[], redirectTo: string | undefined): FastifyReply {
  const origins = [...new Set(urls.map((u) => new URL(u).origin))];
  const frames = urls.map((u) => `<iframe src="${escapeHtml(u)}" style="display:none" title="logout"></iframe>`).join('\n');
  const next = redirectTo
    ? `<p><a id="continue" class="kc-login" href="${escapeHtml(redirectTo)}">Continue</a></p>
<script>document.addEventListener('readystatechange', () => { if (document.readyState === 'complete') window.location.replace(${JSON.stringify(redirectTo).replace(/</g, '\\u003c')}); });</script>`
    : '';
  const body = `<h1 id="kc-page-title">${redirectTo ? 'Logging out' : 'You are logged out'}</h1>\n${frames}\n${next}`;
  return reply
    .code(200)
    .headers({ ...PAGE_HEADERS, 'content-security-policy': `frame-src 'self' ${origins.join(' ')}; frame-ancestors 'self'; object-src 'none';` })
    .send(page('Logging out', body));
}
