/**
 * The peer: node-oidc-provider 9.x with its in-memory adapter, configured to do the same work as
 * holdfast's demo realm so that ratios mean something. Run as its own process (pinned like
 * holdfast): `node --import tsx bench/peers/oidc-provider.ts --port N`; it prints `ready` when
 * listening.
 *
 * Equivalences and the places where there is none:
 * - RS256 with a 2048-bit RSA key for ID tokens and access tokens. Access tokens are JWTs (a
 *   resource server `urn:bench:api` is the default resource), as holdfast's and Keycloak's are;
 *   without that the peer would issue opaque tokens and sign nothing on a refresh without `openid`.
 * - `bench-opaque` gets opaque access tokens, because node-oidc-provider's userinfo refuses tokens
 *   with an audience and its introspection refuses JWTs: userinfo and introspection use it.
 * - Refresh tokens are opaque (a memory write per issue) and issued on every code exchange;
 *   they rotate only for `bench-rotating`, as holdfast's rotate only with `revokeRefreshToken`.
 * - The login form checks alice's password against an argon2id hash made with holdfast's own
 *   parameters (holdfast's crypto module), so a login costs the same hashing on both sides.
 * - There is no password grant in node-oidc-provider: that scenario is n/a for the peer.
 */
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
import { hashPassword, verifyPassword } from '../../src/crypto/index.ts';
import { PEER_OPAQUE_CLIENT as OPAQUE, PEER_REDIRECT, PEER_RESOURCE, PEER_ROTATING_CLIENT as ROTATING, PEER_SECRET } from './oidc-provider-config.ts';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) throw new Error('--port N is required');
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };
const alicePassword = await hashPassword('alice');
const ALICE = { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice Liddell', given_name: 'Alice', family_name: 'Liddell', preferred_username: 'alice' };

const confidential = (client_id: string) => ({
  client_id,
  client_secret: PEER_SECRET,
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  redirect_uris: [PEER_REDIRECT],
});

const provider = new Provider(issuer, {
  clients: [
    confidential('bench-service'),
    confidential(ROTATING),
    confidential(OPAQUE),
    { client_id: 'bench-app', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [PEER_REDIRECT] },
  ],
  jwks: { keys: [jwk as any] },
  cookies: { keys: ['bench-cookie-key-not-secret'] },
  claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name', 'preferred_username'], email: ['email', 'email_verified'] },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  findAccount: async (_ctx: unknown, sub: string) => (sub === 'alice' ? { accountId: 'alice', claims: async () => ALICE } : undefined),
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx: any, client: any, oneOf?: string) => oneOf ?? (client?.clientId === OPAQUE ? undefined : PEER_RESOURCE),
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'api',
        audience: PEER_RESOURCE,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  pkce: { required: () => false },
  clientBasedCORS: () => true,
  issueRefreshToken: async (_ctx: unknown, client: any) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: (ctx: any) => ctx.oidc.client?.clientId === ROTATING || ctx.oidc.client?.clientAuthMethod === 'none',
  ttl: {
    AccessToken: 300,
    AuthorizationCode: 60,
    ClientCredentials: 300,
    IdToken: 300,
    Interaction: 1800,
    Session: 36000,
    Grant: 36000,
    RefreshToken: 1800,
  },
} as any);
provider.on('server_error', (_ctx: unknown, error: Error) => console.error('peer server_error', error));

function readBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 65536) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

/** The interaction a real deployment writes itself: one login form that also grants consent. */
async function interaction(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><form id="kc-form-login" method="post" action="/interaction/${details.uid}/login">
<input name="username"><input name="password" type="password"><button>Sign in</button></form>`);
    return;
  }
  const form = await readBody(req);
  if (form.get('username') !== 'alice' || !(await verifyPassword(form.get('password') ?? '', alicePassword))) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'Invalid user credentials' }, { mergeWithLastSubmission: false });
    return;
  }
  const params = details.params as { client_id: string; scope?: string };
  const grant = new provider.Grant({ accountId: 'alice', clientId: params.client_id });
  grant.addOIDCScope('openid offline_access profile email');
  grant.addResourceScope(PEER_RESOURCE, 'api');
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: 'alice' }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url?.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      console.error('peer interaction failed', error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return;
  }
  callback(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
