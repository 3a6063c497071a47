/**
 * OpenID Connect Front-Channel Logout 1.0, as Keycloak does it: a browser logout renders a page
 * with one hidden iframe per client of the session that has `frontchannelLogout` on and a
 * `frontchannel.logout.url` (with `iss` and `sid` when `frontchannel.logout.session.required` is
 * `true`), then moves on to the post-logout redirect once the frames have loaded, or offers a
 * link. Those clients are left out of the back-channel notice for this logout.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import { sendPage } from '../../theme/index.ts';
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
export function sendFrontchannelLogout(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, urls: string[], redirectTo: string | undefined): Promise<FastifyReply> {
  const origins = [...new Set(urls.map((u) => new URL(u).origin))];
  return sendPage(ctx, reply, { request, realm }, {
    template: 'frontchannel-logout',
    title: redirectTo ? 'frontchannel-logout.title' : 'successLogout',
    data: { urls, redirectTo },
    headers: { 'content-security-policy': `frame-src 'self' ${origins.join(' ')}; frame-ancestors 'self'; object-src 'none';` },
  });
}
