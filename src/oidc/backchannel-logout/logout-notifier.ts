/**
 * OpenID Connect Back-Channel Logout 1.0: when a user session ends, every client of it with a
 * `backchannel.logout.url` receives a `logout_token` (Keycloak's shape: header `typ`
 * `logout+jwt`, claims `iss`, `aud`, `sub`, `iat`, `exp` = `iat` + 120, `jti`, `typ` `Logout`,
 * `sid` when `backchannel.logout.session.required` is `true`, and the back-channel event, with
 * `revoke_offline_access` inside the events when `backchannel.logout.revoke.offline.tokens`).
 *
 * Delivery is off the request path: the logout answers once the session is gone from the store,
 * whatever the receivers do. Each token is POSTed up to `attempts` times with a per-attempt
 * timeout and a doubling pause, so a dead receiver costs a bounded number of requests over a
 * bounded time; at most `maxPending` deliveries are in progress per node, beyond which new ones
 * are dropped. Every outcome is counted (`holdfast_backchannel_logout_total`) and failures logged.
 * Like Keycloak, a delivery is not retried after this node stops.
 *
 * A session that came through an identity provider with `backchannelSupported` and a logout URL
 * is also ended at the upstream, from here too, whatever ended it (src/broker/upstream-logout.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import { nowSeconds, type Clock } from '../../clock/index.ts';
import { newId, signAsymmetric } from '../../crypto/index.ts';
import type { Metrics } from '../../http/metrics.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import type { UserSession } from '../../session/types.ts';
import { OutboundRefused, outboundRequest, type OutboundAddresses } from '../../http/outbound.ts';
import { backchannelLogoutRequestUrl, isBackchannelLogout, upstreamLogoutOf, type UpstreamLogout } from '../../broker/index.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const LOGOUT_TOKEN_LIFESPAN = 120;

export interface DeliveryOptions {
  attempts: number;
  timeoutMs: number;
  /** Pause before the second attempt; doubled before each further one. */
  backoffMs: number;
  maxPending: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { attempts: 3, timeoutMs: 5000, backoffMs: 1000, maxPending: 1000 };

/** The back-channel logout URL of a client, if it has one. */
export function backchannelLogoutUrl(client: Client): string | undefined {
  const url = client.attributes['backchannel.logout.url']?.trim();
  return url ? url : undefined;
}

export class LogoutNotifier {
  private pending = 0;
  private closed = false;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly metrics: Metrics,
    private readonly addresses: OutboundAddresses,
    private readonly options: DeliveryOptions = DEFAULT_DELIVERY,
  ) {}

  /**
   * Notifies the session's back-channel clients, except those in `skip` (a browser logout
   * reaches front-channel clients through the page instead), and the upstream of a brokered session
   * unless `upstream` is false (the upstream itself asked). Returns at once; never throws.
   */
  sessionEnded(realm: LoadedRealm, issuer: string, session: UserSession, skip: ReadonlySet<string> = new Set(), options: { upstream?: boolean } = {}): void {
    const upstream = options.upstream === false ? undefined : upstreamLogoutOf(realm.identityProviders, session);
    if (upstream && isBackchannelLogout(upstream)) this.track(realm, () => this.logOutUpstream(realm, upstream, session));
    for (const clientUuid of session.clientSessions.keys()) {
      const client = realm.clientsById.get(clientUuid);
      const url = client && client.enabled && !skip.has(client.id) ? backchannelLogoutUrl(client) : undefined;
      if (!client || !url) continue;
      if (this.closed || this.pending >= this.options.maxPending) {
        this.metrics.backchannelLogouts.inc({ outcome: 'dropped' });
        this.log.warn({ clientId: client.clientId, realm: realm.realm.name }, 'back-channel logout dropped: too many deliveries pending');
        continue;
      }
      this.pending += 1;
      void this.deliver(realm, issuer, session, client, url).finally(() => {
        this.pending -= 1;
      });
    }
  }

  /** Runs one delivery within the bound on pending ones. */
  private track(realm: LoadedRealm, delivery: () => Promise<void>): void {
    if (this.closed || this.pending >= this.options.maxPending) {
      this.log.warn({ realm: realm.realm.name }, 'upstream logout dropped: too many deliveries pending');
      return;
    }
    this.pending += 1;
    void delivery().finally(() => {
      this.pending -= 1;
    });
  }

  /** A brokered session's back-channel logout at its upstream: one GET, as Keycloak makes it; a 2xx or 3xx counts as done. */
  private async logOutUpstream(realm: LoadedRealm, upstream: UpstreamLogout, session: UserSession): Promise<void> {
    const url = backchannelLogoutRequestUrl(upstream, session.id);
    let failure: string;
    try {
      const response = await outboundRequest(url, { method: 'GET', headers: {}, timeoutMs: this.options.timeoutMs, maxBytes: 64 * 1024, addresses: this.addresses });
      if (response.status >= 200 && response.status < 400) return;
      failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = (error as Error).message;
    }
    this.log.warn({ identityProvider: upstream.provider.alias, realm: realm.realm.name, error: failure }, 'back-channel logout at the upstream identity provider failed');
  }

  /** Stops retrying; deliveries in flight end within their timeout. */
  close(): void {
    this.closed = true;
    for (const sleeper of this.sleeping) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleeping.clear();
  }

  private logoutToken(realm: LoadedRealm, issuer: string, session: UserSession, client: Client): Promise<string> {
    const iat = nowSeconds(this.clock);
    const events: Record<string, unknown> = { [BACKCHANNEL_LOGOUT_EVENT]: {} };
    if (client.attributes['backchannel.logout.revoke.offline.tokens'] === 'true') events.revoke_offline_access = true;
    // Absent means false, as Keycloak reads it (its console sets it to true on new clients).
    const sessionRequired = client.attributes['backchannel.logout.session.required'] === 'true';
    const claims = {
      exp: iat + LOGOUT_TOKEN_LIFESPAN,
      iat,
      jti: newId(),
      iss: issuer,
      aud: client.clientId,
      sub: session.userId,
      typ: 'Logout',
      ...(sessionRequired ? { sid: session.id } : {}),
      events,
    };
    return signAsymmetric(claims, realm.keys, undefined, 'logout+jwt');
  }

  private async deliver(realm: LoadedRealm, issuer: string, session: UserSession, client: Client, url: string): Promise<void> {
    let lastError = 'not attempted';
    try {
      const body = new URLSearchParams({ logout_token: await this.logoutToken(realm, issuer, session, client) }).toString();
      for (let attempt = 1; attempt <= this.options.attempts && !this.closed; attempt += 1) {
        if (attempt > 1) await this.pause(this.options.backoffMs * 2 ** (attempt - 2));
        if (this.closed) break;
        try {
          const response = await outboundRequest(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
            timeoutMs: this.options.timeoutMs,
            maxBytes: 4096,
            addresses: this.addresses,
          });
          if (response.status >= 200 && response.status < 300) {
            this.metrics.backchannelLogouts.inc({ outcome: 'delivered' });
            return;
          }
          lastError = `HTTP ${response.status}`;
        } catch (error) {
          lastError = (error as Error).message;
          // A URL --outbound-addresses forbids stays forbidden: no point retrying it.
          if (error instanceof OutboundRefused) break;
        }
      }
    } catch (error) {
      lastError = (error as Error).message;
    }
    this.metrics.backchannelLogouts.inc({ outcome: 'failed' });
    this.log.warn({ clientId: client.clientId, realm: realm.realm.name, error: lastError }, 'back-channel logout failed');
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = { timer: setTimeout(() => {
        this.sleeping.delete(sleeper);
        resolve();
      }, ms), wake: resolve };
      sleeper.timer.unref();
      this.sleeping.add(sleeper);
    });
  }
}
