/**
 * What every endpoint works with: configuration, clock, logging, metrics, realms, sessions and events.
 * Built once by app.ts; endpoints receive it rather than reaching for globals.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock/index.ts';
import type { Cluster } from './cluster/index.ts';
import type { Config } from './config/index.ts';
import type { PasswordWork } from './crypto/index.ts';
import type { Metrics } from './http/metrics.ts';
import type { RealmService } from './realm/realm-service.ts';
import type { SessionService } from './session/session-service.ts';
import type { RevocationList } from './session/revocation-list.ts';
import type { SessionStore } from './session/session-store.ts';
import type { LoginAttempts } from './session/login-attempts.ts';
import type { InvalidationBus } from './store/cache/index.ts';
import type { ClientKeys } from './oidc/client-auth/index.ts';
import type { LogoutNotifier } from './oidc/backchannel-logout/index.ts';
import type { Events } from './events/index.ts';
import type { MailSender } from './mail/index.ts';
import type { Themes } from './theme/index.ts';

export interface Context {
  config: Config;
  clock: Clock;
  log: FastifyBaseLogger;
  metrics: Metrics;
  realms: RealmService;
  sessions: SessionService;
  /** The cached session store (writes go through to the durable one). */
  store: SessionStore;
  bus: InvalidationBus;
  revocations: RevocationList;
  /** Password verification, scheduled fairly between realms. */
  passwords: PasswordWork;
  /** One password check at a time per user, cluster-wide, under brute-force detection. */
  loginAttempts: LoginAttempts;
  /** This node among its peers: routes and singleton jobs (a single node without PostgreSQL). */
  cluster: Cluster;
  /** Public keys of `private_key_jwt` clients, with fetched JWKS URLs cached. */
  clientKeys: ClientKeys;
  /** Sends back-channel logout tokens to a session's clients when it ends, off the request path. */
  logoutNotifier: LogoutNotifier;
  /** User and admin events: recorded by requests, written in batches, queried by the admin API. */
  events: Events;
  /** Mail through realms' SMTP servers, queued off the request path. */
  mail: MailSender;
  /** Login themes: templates, message bundles and resources, read once per theme. */
  themes: Themes;
}
