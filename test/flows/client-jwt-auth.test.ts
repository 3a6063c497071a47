/**
 * Signed-JWT client authentication (`private_key_jwt`, `client_secret_jwt`) against a listening
 * holdfast, with openid-client 6 as the relying party, and the assertions it would never send
 * built by hand: each bad one gets Keycloak 26's error (checked against a real Keycloak). A
 * replayed assertion is refused, also by a second node sharing the PostgreSQL store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import * as oidc from 'openid-client';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { adminClient, startAdminServer, twoNodesSharingPostgres, type AdminServer } from '../admin/admin-support.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SECRET = 'a-client-secret-of-32-characters';
const REALM = 'jwt-auth';

interface Keys {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function rsaKeys(kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } };
}

/** Sets up the realm: a `client-jwt` client with its JWKS inline, one with a JWKS URL, a `client-secret-jwt` one, a `client-secret` one. */
async function seedRealm(url: string, keys: Keys, jwksUrl: string): Promise<void> {
  const kc = await adminClient(url);
  await kc.realms.create({ realm: REALM, enabled: true });
  kc.setConfig({ realmName: REALM });
  const serviceClient = { serviceAccountsEnabled: true, standardFlowEnabled: false, publicClient: false };
  await kc.clients.create({ ...serviceClient, clientId: 'jwt-inline', clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.string': 'true', 'jwks.string': JSON.stringify({ keys: [keys.jwk] }) } });
  await kc.clients.create({ ...serviceClient, clientId: 'jwt-url', clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.url': 'true', 'jwks.url': jwksUrl } });
  await kc.clients.create({ ...serviceClient, clientId: 'hs-client', clientAuthenticatorType: 'client-secret-jwt', secret: SECRET });
  await kc.clients.create({ ...serviceClient, clientId: 'secret-client', clientAuthenticatorType: 'client-secret', secret: SECRET });
}

function realmUrls(url: string) {
  const issuer = `${url}/realms/${REALM}`;
  const oidcBase = `${issuer}/protocol/openid-connect`;
  return { issuer, token: `${oidcBase}/token`, introspect: `${oidcBase}/token/introspect`, revoke: `${oidcBase}/revoke` };
}

async function post(endpoint: string, fields: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(endpoint, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

describe('signed-JWT client authentication', () => {
  let server: AdminServer;
  let jwksServer: http.Server;
  let keys: Keys;
  let urls: ReturnType<typeof realmUrls>;
  let jwksRequests = 0;

  const now = (): number => Math.floor(Date.now() / 1000);
  const claims = (clientId: string, extra: Record<string, unknown> = {}) => ({
    iss: clientId,
    sub: clientId,
    aud: urls.token,
    iat: now(),
    exp: now() + 60,
    jti: crypto.randomUUID(),
    ...extra,
  });
  const signRs = (body: Record<string, unknown>, key = keys.privateKey, kid = 'k1') => new SignJWT(body).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
  const signHs = (body: Record<string, unknown>, alg = 'HS256', secret = SECRET) => new SignJWT(body).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
  const withAssertion = (assertion: string, endpoint = urls.token, extra: Record<string, string> = {}) =>
    post(endpoint, { ...(endpoint === urls.token ? { grant_type: 'client_credentials' } : { token: 'not-a-token' }), client_assertion_type: JWT_BEARER, client_assertion: assertion, ...extra });

  before(async () => {
    keys = await rsaKeys('k1');
    jwksServer = http.createServer((_request, response) => {
      jwksRequests += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [keys.jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksPort = (jwksServer.address() as { port: number }).port;
    server = await startAdminServer();
    urls = realmUrls(server.url);
    await seedRealm(server.url, keys, `http://127.0.0.1:${jwksPort}/jwks`);
  });
  after(async () => {
    await server.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it('discovery lists the signed-JWT methods and algorithms as Keycloak does', async () => {
    const discovery = await (await fetch(`${urls.issuer}/.well-known/openid-configuration`)).json();
    const methods = ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt'];
    for (const endpoint of ['token', 'introspection', 'revocation']) {
      assert.deepEqual(discovery[`${endpoint}_endpoint_auth_methods_supported`], methods);
      assert.ok(discovery[`${endpoint}_endpoint_auth_signing_alg_values_supported`].includes('RS256'));
      assert.ok(discovery[`${endpoint}_endpoint_auth_signing_alg_values_supported`].includes('HS512'));
      assert.ok(!discovery[`${endpoint}_endpoint_auth_signing_alg_values_supported`].includes('none'));
    }
  });

  it('private_key_jwt through openid-client: client credentials, introspection and revocation', async () => {
    const config = await oidc.discovery(new URL(urls.issuer), 'jwt-inline', {}, oidc.PrivateKeyJwt({ key: keys.privateKey, kid: 'k1' }), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.equal(tokens.token_type, 'bearer');
    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, 'jwt-inline');
    await oidc.tokenRevocation(config, tokens.access_token);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
  });

  it('private_key_jwt with the JWKS fetched from jwks.url, cached between requests', async () => {
    const config = await oidc.discovery(new URL(urls.issuer), 'jwt-url', {}, oidc.PrivateKeyJwt({ key: keys.privateKey, kid: 'k1' }), { execute: [oidc.allowInsecureRequests] });
    const before = jwksRequests;
    await oidc.clientCredentialsGrant(config);
    await oidc.clientCredentialsGrant(config);
    assert.equal(jwksRequests - before, 1);
  });

  it('client_secret_jwt through openid-client, and HS384/HS512 by hand', async () => {
    const config = await oidc.discovery(new URL(urls.issuer), 'hs-client', {}, oidc.ClientSecretJwt(SECRET), { execute: [oidc.allowInsecureRequests] });
    assert.ok((await oidc.clientCredentialsGrant(config)).access_token);
    for (const alg of ['HS384', 'HS512']) assert.equal((await withAssertion(await signHs(claims('hs-client'), alg))).status, 200, alg);
  });

  it('accepts the issuer and the introspection endpoint as audience; refuses the revocation endpoint, as Keycloak 26', async () => {
    assert.equal((await withAssertion(await signRs(claims('jwt-inline', { aud: urls.issuer })))).status, 200);
    assert.equal((await withAssertion(await signRs(claims('jwt-inline', { aud: [urls.introspect] })))).status, 200);
    const revokeAud = await withAssertion(await signRs(claims('jwt-inline', { aud: urls.revoke })), urls.revoke);
    assert.deepEqual(revokeAud, { status: 400, body: { error: 'invalid_client', error_description: 'Invalid token audience' } });
  });

  it('refuses a replayed assertion', async () => {
    const assertion = await signRs(claims('jwt-inline'));
    assert.equal((await withAssertion(assertion)).status, 200);
    assert.deepEqual(await withAssertion(assertion), { status: 400, body: { error: 'invalid_client', error_description: 'Token reuse detected' } });
    assert.deepEqual(await withAssertion(assertion, urls.introspect), { status: 400, body: { error: 'invalid_client', error_description: 'Token reuse detected' } });
  });

  it('refuses bad assertions with Keycloak 26 errors', async () => {
    const other = await rsaKeys('k1');
    const cases: Array<[string, Promise<string>, number, string, string]> = [
      ['wrong aud', signRs(claims('jwt-inline', { aud: 'https://elsewhere.example' })), 400, 'invalid_client', 'Invalid token audience'],
      ['no aud', signRs(claims('jwt-inline', { aud: undefined })), 400, 'invalid_client', 'Invalid token audience'],
      ['two audiences', signRs(claims('jwt-inline', { aud: [urls.token, urls.issuer] })), 400, 'invalid_client', 'Multiple audiences not allowed'],
      ['expired', signRs(claims('jwt-inline', { iat: now() - 50, exp: now() - 10 })), 400, 'invalid_client', 'Token is not active'],
      ['not yet valid', signRs(claims('jwt-inline', { nbf: now() + 100 })), 400, 'invalid_client', 'Token is not active'],
      ['no exp', signRs(claims('jwt-inline', { exp: undefined })), 400, 'invalid_client', 'Token exp claim is required'],
      ['old iat', signRs(claims('jwt-inline', { iat: now() - 120 })), 400, 'invalid_client', 'Token was issued too far in the past to be used now'],
      ['future iat', signRs(claims('jwt-inline', { iat: now() + 100 })), 400, 'invalid_client', 'Token was issued in the future'],
      ['no jti', signRs(claims('jwt-inline', { jti: undefined })), 400, 'invalid_client', 'Token jti claim is required'],
      ['alg none', Promise.resolve(new UnsecuredJWT(claims('jwt-inline')).encode()), 400, 'invalid_client', 'Invalid signature algorithm'],
      ['HMAC for a key client', signHs(claims('jwt-inline')), 400, 'invalid_client', 'Invalid signature algorithm'],
      ['wrong key', signRs(claims('jwt-inline'), other.privateKey), 400, 'invalid_client', 'Client authentication with signed JWT failed: Signature on JWT token failed validation'],
      ['unknown kid', signRs(claims('jwt-inline'), keys.privateKey, 'nope'), 400, 'invalid_client', 'Unable to load public key'],
      ['iss differs from sub', signRs(claims('jwt-inline', { iss: 'someone' })), 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
      ['unknown client', signRs(claims('nobody')), 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
      ['garbage', Promise.resolve('abc.def.ghi'), 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
      ['wrong secret', signHs(claims('hs-client'), 'HS256', 'x'.repeat(32)), 400, 'unauthorized_client', 'Client authentication with client secret signed JWT failed: Signature on JWT token by client secret  failed validation'],
      ['RS256 for a secret client', signRs(claims('hs-client')), 400, 'unauthorized_client', 'Client authentication with client secret signed JWT failed: Signature on JWT token by client secret failed validation'],
      ['assertion for a client-secret client', signHs(claims('secret-client')), 401, 'invalid_client', 'Invalid client or Invalid client credentials'],
    ];
    for (const [name, assertion, status, error, description] of cases) {
      assert.deepEqual(await withAssertion(await assertion), { status, body: { error, error_description: description } }, name);
    }
    assert.deepEqual(await post(urls.token, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER }), {
      status: 400,
      body: { error: 'invalid_client', error_description: 'client_assertion parameter missing' },
    });
    assert.deepEqual(await withAssertion(await signRs(claims('jwt-inline')), urls.token, { client_id: 'hs-client' }), {
      status: 400,
      body: { error: 'invalid_client', error_description: 'client_id parameter does not match authenticated client' },
    });
  });

  it('a signed-JWT client cannot fall back to its secret; a secret client keeps basic and post', async () => {
    for (const clientId of ['hs-client', 'jwt-inline']) {
      assert.deepEqual(await post(urls.token, { grant_type: 'client_credentials', client_id: clientId, client_secret: SECRET }), {
        status: 400,
        body: { error: 'invalid_client', error_description: 'Parameter client_assertion_type is missing' },
      });
    }
    assert.equal((await post(urls.token, { grant_type: 'client_credentials', client_id: 'secret-client', client_secret: SECRET })).status, 200);
  });

  it('token.endpoint.auth.signing.alg is enforced', async () => {
    const kc = await adminClient(server.url, {}, REALM);
    const [client] = await kc.clients.find({ clientId: 'jwt-inline' });
    await kc.clients.update({ id: client.id! }, { attributes: { ...client.attributes, 'token.endpoint.auth.signing.alg': 'PS256' } });
    assert.deepEqual(await withAssertion(await signRs(claims('jwt-inline'))), { status: 400, body: { error: 'invalid_client', error_description: 'Invalid signature algorithm' } });
    await kc.clients.update({ id: client.id! }, { attributes: { ...client.attributes, 'token.endpoint.auth.signing.alg': 'RS256' } });
    assert.equal((await withAssertion(await signRs(claims('jwt-inline')))).status, 200);
  });

  it('the admin API keeps clientAuthenticatorType and refuses one holdfast cannot honour', async () => {
    const kc = await adminClient(server.url, {}, REALM);
    const [client] = await kc.clients.find({ clientId: 'hs-client' });
    assert.equal(client.clientAuthenticatorType, 'client-secret-jwt');
    const response = await fetch(`${server.url}/admin/realms/${REALM}/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kc.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'x509', clientAuthenticatorType: 'client-x509' }),
    });
    assert.equal(response.status, 400);
  });
});

describe('--outbound-addresses public', () => {
  it('refuses to fetch a jwks.url on a loopback address, by literal or by name', async () => {
    let requests = 0;
    const jwksServer = http.createServer((_request, response) => {
      requests += 1;
      response.end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const port = (jwksServer.address() as { port: number }).port;
    const server = await startAdminServer({ outboundAddresses: 'public' });
    try {
      const keys = await rsaKeys('k1');
      await seedRealm(server.url, keys, `http://127.0.0.1:${port}/jwks`);
      const kc = await adminClient(server.url, {}, REALM);
      await kc.clients.create({ clientId: 'jwt-by-name', serviceAccountsEnabled: true, clientAuthenticatorType: 'client-jwt', attributes: { 'use.jwks.url': 'true', 'jwks.url': `http://localhost:${port}/jwks` } });
      const { token } = realmUrls(server.url);
      const now = Math.floor(Date.now() / 1000);
      for (const clientId of ['jwt-url', 'jwt-by-name']) {
        const assertion = await new SignJWT({ iss: clientId, sub: clientId, aud: token, iat: now, exp: now + 60, jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(keys.privateKey);
        const answer = await post(token, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: assertion });
        assert.deepEqual(answer, { status: 400, body: { error: 'invalid_client', error_description: 'Unable to load public key' } }, clientId);
      }
      assert.equal(requests, 0);
    } finally {
      await server.close();
      await new Promise((resolve) => jwksServer.close(resolve));
    }
  });
});

describe('client-assertion replay across two nodes sharing PostgreSQL', () => {
  const { nodes } = twoNodesSharingPostgres();

  it('an assertion used on one node is refused on the other', async () => {
    const keys = await rsaKeys('k1');
    await seedRealm(nodes[0].url, keys, 'http://127.0.0.1:9/unused');
    const [first, second] = nodes.map((n) => realmUrls(n.url));
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ iss: 'jwt-inline', sub: 'jwt-inline', aud: 'http://idp.test/realms/jwt-auth', iat: now, exp: now + 60, jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(keys.privateKey);
    const fields = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: assertion };
    assert.equal((await post(first.token, fields)).status, 200);
    assert.deepEqual(await post(second.token, fields), { status: 400, body: { error: 'invalid_client', error_description: 'Token reuse detected' } });
  });
});
