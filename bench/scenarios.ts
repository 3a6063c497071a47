/**
 * The scenarios, and the two kinds of server they run against. A target says where its endpoints
 * are, which client plays which part, and how to open real sessions for the hot loops; a scenario
 * turns a target and those sessions into a load job (load-worker.ts). The same scenario builds
 * the same requests for holdfast and the peer, except where the peer has no equivalent.
 */
import { basicAuth, loginWithCode, type LoginTarget } from './login-flow.ts';
import type { HttpJob, Job } from './load-worker.ts';
import { PEER_REDIRECT, PEER_SECRET } from './peers/oidc-provider-config.ts';

export type ScenarioName =
  | 'password'
  | 'client_credentials'
  | 'refresh'
  | 'refresh_no_openid'
  | 'refresh_rotation'
  | 'introspection'
  | 'userinfo'
  | 'login_code_pkce';

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** Keycloak's documented throughput per vCPU for this kind of request, when there is one. */
  keycloakPerCore?: number;
  connections: number;
  /** Needs realm-wide refresh-token rotation (holdfast: `revokeRefreshToken`). */
  rotation?: boolean;
}

/** Keycloak 26 sizing guide: per vCPU, 15 password logins/s, 120 client-credentials grants/s, 120 refreshes/s. */
export const KEYCLOAK_PER_CORE = { passwordLogin: 15, clientCredentials: 120, refresh: 120 };

export const SCENARIOS: Scenario[] = [
  { name: 'password', title: 'password grant (argon2id)', keycloakPerCore: KEYCLOAK_PER_CORE.passwordLogin, connections: 4 },
  { name: 'client_credentials', title: 'client_credentials', keycloakPerCore: KEYCLOAK_PER_CORE.clientCredentials, connections: 8 },
  { name: 'refresh', title: 'refresh, openid (access + ID token)', keycloakPerCore: KEYCLOAK_PER_CORE.refresh, connections: 8 },
  { name: 'refresh_no_openid', title: 'refresh, no openid (one RS256 signature)', keycloakPerCore: KEYCLOAK_PER_CORE.refresh, connections: 8 },
  { name: 'refresh_rotation', title: 'refresh with rotation', keycloakPerCore: KEYCLOAK_PER_CORE.refresh, connections: 8, rotation: true },
  { name: 'introspection', title: 'introspection of an access token', connections: 8 },
  { name: 'userinfo', title: 'userinfo', connections: 8 },
  { name: 'login_code_pkce', title: 'browser login, code + PKCE (argon2id)', keycloakPerCore: KEYCLOAK_PER_CORE.passwordLogin, connections: 4 },
];

interface ClientCredentials {
  id: string;
  secret: string;
}

/** A server under test, as the scenarios see it. */
export interface Target {
  kind: 'holdfast' | 'peer';
  url: string;
  /** Where holdfast's Prometheus metrics are (its management interface); unset for the peer. */
  metricsUrl?: string;
  tokenPath: string;
  introspectPath: string;
  userinfoPath: string;
  /** The confidential client for grants and refreshes. */
  service: ClientCredentials;
  /** The client whose access tokens userinfo and introspection accept (the peer's opaque one). */
  resourceCaller: ClientCredentials;
  /** The client refreshes rotate for. */
  rotating: ClientCredentials;
  /** A `scope` for a refresh that leaves `openid` out (so no ID token is signed). */
  scopeWithoutOpenid: string;
  /** The public client of the login scenario. */
  login: LoginTarget;
  /** Opens `count` real sessions for `client` and returns their token responses. */
  openSessions(count: number, client: ClientCredentials): Promise<Array<Record<string, any>>>;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Runs `work` for 0..count-1 with at most `limit` at a time. */
async function bounded<T>(count: number, limit: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

async function postForm(url: string, body: Record<string, string>, authorization: string): Promise<Record<string, any>> {
  const response = await fetch(url, { method: 'POST', headers: { ...FORM, authorization }, body: new URLSearchParams(body) });
  const json = (await response.json()) as Record<string, any>;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

export function holdfastTarget(url: string, user = { username: 'alice', password: 'alice' }, metricsUrl?: string): Target {
  const realm = `${url}/realms/demo/protocol/openid-connect`;
  const service = { id: 'demo-service', secret: 'demo-service-secret' };
  return {
    kind: 'holdfast',
    url,
    metricsUrl,
    tokenPath: '/realms/demo/protocol/openid-connect/token',
    introspectPath: '/realms/demo/protocol/openid-connect/token/introspect',
    userinfoPath: '/realms/demo/protocol/openid-connect/userinfo',
    service,
    resourceCaller: service,
    rotating: service,
    scopeWithoutOpenid: 'profile email',
    login: {
      authorizationEndpoint: `${realm}/auth`,
      tokenEndpoint: `${realm}/token`,
      clientId: 'demo-app',
      redirectUri: 'http://localhost:3000/callback',
      scope: 'openid',
      username: 'alice',
      password: 'alice',
    },
    openSessions: (count, client) =>
      bounded(count, 4, () =>
        postForm(`${realm}/token`, { grant_type: 'password', username: user.username, password: user.password, scope: 'openid' }, basicAuth(client.id, client.secret)),
      ),
  };
}

export function peerTarget(url: string): Target {
  const client = (id: string) => ({ id, secret: PEER_SECRET });
  const login = (clientId: string, secret?: string): LoginTarget => ({
    authorizationEndpoint: `${url}/auth`,
    tokenEndpoint: `${url}/token`,
    clientId,
    clientSecret: secret,
    redirectUri: PEER_REDIRECT,
    scope: 'openid profile email api',
    username: 'alice',
    password: 'alice',
  });
  return {
    kind: 'peer',
    url,
    tokenPath: '/token',
    introspectPath: '/token/introspection',
    userinfoPath: '/me',
    service: client('bench-service'),
    resourceCaller: client('bench-opaque'),
    rotating: client('bench-rotating'),
    scopeWithoutOpenid: 'profile email api',
    login: login('bench-app'),
    openSessions: (count, c) => bounded(count, 4, () => loginWithCode(login(c.id, c.secret))),
  };
}

/** What the hot loops need, prepared before a scenario runs. */
export interface Samples {
  refreshTokens: string[];
  /** Refresh tokens of the resource caller's sessions, to get fresh access tokens from. */
  resourceRefreshTokens: string[];
  accessTokens: string[];
  rotatingTokens: string[];
}

/** The load job of `scenario` against `target`, or undefined when the target has no equivalent. */
export function jobFor(scenario: Scenario, target: Target, samples: Samples, seconds: number): Job | undefined {
  const http = (path: string, extra: Partial<HttpJob>): HttpJob => ({
    kind: 'http',
    url: target.url,
    method: 'POST',
    path,
    headers: { ...FORM, authorization: basicAuth(target.service.id, target.service.secret) },
    connections: scenario.connections,
    seconds,
    ...extra,
  });
  const refreshBodies = (suffix: string) => samples.refreshTokens.map((t) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(t)}${suffix}`);
  switch (scenario.name) {
    case 'password':
      if (target.kind === 'peer') return undefined;
      return http(target.tokenPath, { bodies: ['grant_type=password&username=alice&password=alice&scope=openid'] });
    case 'client_credentials':
      return http(target.tokenPath, { bodies: ['grant_type=client_credentials'] });
    case 'refresh':
      return http(target.tokenPath, { bodies: refreshBodies('') });
    case 'refresh_no_openid':
      return http(target.tokenPath, { bodies: refreshBodies(`&scope=${encodeURIComponent(target.scopeWithoutOpenid)}`) });
    case 'refresh_rotation':
      return http(target.tokenPath, {
        headers: { ...FORM, authorization: basicAuth(target.rotating.id, target.rotating.secret) },
        chain: { prefix: 'grant_type=refresh_token&refresh_token=', suffix: '', tokens: samples.rotatingTokens },
      });
    case 'introspection':
      return http(target.introspectPath, {
        headers: { ...FORM, authorization: basicAuth(target.resourceCaller.id, target.resourceCaller.secret) },
        bodies: samples.accessTokens.map((t) => `token=${encodeURIComponent(t)}`),
      });
    case 'userinfo':
      return http(target.userinfoPath, { method: 'GET', headers: {}, authorizations: samples.accessTokens.map((t) => `Bearer ${t}`) });
    case 'login_code_pkce':
      return { kind: 'login', target: target.login, concurrency: scenario.connections, seconds };
  }
}

/** First-touch refreshes: each token once (sessions that are stored but not cached). */
export function firstTouchJob(target: Target, tokens: string[], connections: number): HttpJob {
  return {
    kind: 'http',
    url: target.url,
    method: 'POST',
    path: target.tokenPath,
    headers: { ...FORM, authorization: basicAuth(target.service.id, target.service.secret) },
    bodies: tokens.map((t) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(t)}&scope=profile%20email`),
    once: true,
    connections,
    seconds: 0,
  };
}
