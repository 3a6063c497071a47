/**
 * DPoP (RFC 9449) against a listening holdfast: openid-client 6 as the relying party binds
 * tokens to its key through code + PKCE, refresh, userinfo, client credentials and a password
 * grant; the proofs it would never send are built by hand, and each is refused with Keycloak
 * 26.7's answer (checked against a real Keycloak 26.7.3): replayed, wrong `htu` or `htm`, old or
 * future `iat`, a private key in `jwk`, `alg` none or HS256, a bad signature, a token or refresh
 * token used with another key. A proof used on one node is refused by a second node sharing the
 * PostgreSQL store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as oidc from 'openid-client';
import { SignJWT, base64url, calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { adminClient, startAdminServer, twoNodesSharingPostgres, type AdminServer } from '../admin/admin-support.ts';
import { CookieJar, loginThroughForm } from '../support/browser.ts';

const REALM = 'dpop';
const REDIRECT_URI = 'http://localhost:3000/callback';
const SECRET = 'svc-secret-of-at-least-32-chars!';

interface ProofKey {
  keyPair: { privateKey: CryptoKey; publicKey: CryptoKey };
  jwk: JWK;
  thumbprint: string;
}

async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const keyPair = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(keyPair.publicKey);
  return { keyPair, jwk, thumbprint: await calculateJwkThumbprint(jwk) };
}

const now = (): number => Math.floor(Date.now() / 1000);
const athOf = (token: string): string => base64url.encode(crypto.createHash('sha256').update(token).digest());
const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');

interface ProofFields {
  htu: string;
  htm?: string;
  iat?: number;
  jti?: string;
  ath?: string;
}

function proof(key: ProofKey, fields: ProofFields, header: Record<string, unknown> = {}, alg = 'ES256'): Promise<string> {
  const claims = { htm: 'POST', iat: now(), jti: crypto.randomUUID(), ...fields };
  return new SignJWT(claims).setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: key.jwk, ...header }).sign(key.keyPair.privateKey);
}

async function seedRealm(url: string): Promise<void> {
  const kc = await adminClient(url);
  await kc.realms.create({ realm: REALM, enabled: true });
  kc.setConfig({ realmName: REALM });
  const browser = { redirectUris: [`${REDIRECT_URI}*`], directAccessGrantsEnabled: true };
  await kc.clients.create({ ...browser, clientId: 'spa', publicClient: true, attributes: { 'dpop.bound.access.tokens': 'true', 'pkce.code.challenge.method': 'S256' } });
  await kc.clients.create({ ...browser, clientId: 'cli', publicClient: true });
  await kc.clients.create({ ...browser, clientId: 'svc', publicClient: false, secret: SECRET, serviceAccountsEnabled: true });
  await kc.users.create({ username: 'alice', enabled: true, email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', emailVerified: true, credentials: [{ type: 'password', value: 'alice', temporary: false }] });
}

function endpoints(base: string) {
  const issuer = `${base}/realms/${REALM}`;
  const oidcBase = `${issuer}/protocol/openid-connect`;
  return { issuer, token: `${oidcBase}/token`, userinfo: `${oidcBase}/userinfo`, introspect: `${oidcBase}/token/introspect`, auth: `${oidcBase}/auth` };
}

async function post(url: string, fields: Record<string, string>, headers: HeadersInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), headers });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

async function failureOf(work: Promise<unknown>): Promise<{ error: string; description?: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return { error: error.error, description: error.error_description };
    throw error;
  }
  throw new Error('expected the request to fail');
}

const passwordFields = (clientId: string): Record<string, string> => ({ grant_type: 'password', client_id: clientId, username: 'alice', password: 'alice', scope: 'openid' });

describe('DPoP against a running holdfast', () => {
  let server: AdminServer;
  let urls: ReturnType<typeof endpoints>;
  const configFor = (clientId: string, secret?: string) =>
    oidc.discovery(new URL(urls.issuer), clientId, {}, secret ? oidc.ClientSecretPost(secret) : oidc.None(), { execute: [oidc.allowInsecureRequests] });

  before(async () => {
    server = await startAdminServer();
    urls = endpoints(server.url);
    await seedRealm(server.url);
  });
  after(async () => {
    await server.close();
  });

  it('advertises the proof algorithms in discovery', async () => {
    const metadata = await (await fetch(`${urls.issuer}/.well-known/openid-configuration`)).json();
    assert.deepEqual(metadata.dpop_signing_alg_values_supported, ['PS384', 'RS384', 'EdDSA', 'ES384', 'ES256', 'RS256', 'ES512', 'PS256', 'PS512', 'RS512']);
  });

  it('binds code + PKCE, refresh and userinfo of a public client to its key (openid-client)', async () => {
    const config = await configFor('spa');
    const key = await proofKey();
    const dpop = oidc.getDPoPHandle(config, key.keyPair);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    const callback = await loginThroughForm(authorizationUrl.href, 'alice', 'alice', new CookieJar());
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const access = decodeJwt(tokens.access_token);
    assert.equal(access.typ, 'DPoP');
    assert.deepEqual(access.cnf, { jkt: key.thumbprint, 'kc-jkt-type': 'DPoP' });
    assert.deepEqual(decodeJwt(tokens.refresh_token!).cnf, { jkt: key.thumbprint, 'kc-jkt-type': 'DPoP' });

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub, { DPoP: dpop });
    assert.equal(userinfo.preferred_username, 'alice');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
    assert.equal(decodeJwt(refreshed.access_token).typ, 'DPoP');
    assert.equal((decodeJwt(refreshed.refresh_token!).cnf as { jkt: string }).jkt, key.thumbprint);

    // The refresh token is bound: another key, or no proof at all, cannot use it.
    const thief = oidc.getDPoPHandle(config, (await proofKey()).keyPair);
    assert.deepEqual(await failureOf(oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: thief })), {
      error: 'invalid_grant',
      description: "DPoP confirmation doesn't match DPoP proof",
    });
    assert.deepEqual(await post(urls.token, { grant_type: 'refresh_token', client_id: 'spa', refresh_token: refreshed.refresh_token! }), {
      status: 400,
      body: { error: 'invalid_request', error_description: 'DPoP proof is missing' },
    });
    // The bound access token is no bearer token.
    const asBearer = await fetch(urls.userinfo, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    assert.equal(asBearer.status, 401);
    assert.equal(asBearer.headers.get('www-authenticate'), `Bearer realm="${REALM}", error="invalid_token", error_description="Token verification failed"`);
    assert.equal((await oidc.fetchUserInfo(config, refreshed.access_token, oidc.skipSubjectCheck, { DPoP: dpop })).preferred_username, 'alice');

    // Keycloak 26.7's logout endpoint reads no proof, so a bound refresh token cannot log out there; revocation ends it.
    assert.deepEqual(await post(`${urls.issuer}/protocol/openid-connect/logout`, { client_id: 'spa', refresh_token: refreshed.refresh_token! }), {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'DPoP proof is missing' },
    });
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    assert.deepEqual(await failureOf(oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: dpop })), { error: 'invalid_grant', description: 'Session not active' });
  });

  it('binds client credentials and a password grant of a confidential client, whose refresh token stays unbound', async () => {
    const config = await configFor('svc', SECRET);
    const key = await proofKey('PS256');
    const dpop = oidc.getDPoPHandle(config, key.keyPair);
    const service = await oidc.clientCredentialsGrant(config, undefined, { DPoP: dpop });
    assert.equal(decodeJwt(service.access_token).typ, 'DPoP');
    assert.equal((decodeJwt(service.access_token).cnf as { jkt: string }).jkt, key.thumbprint);

    const login = await oidc.genericGrantRequest(config, 'password', { username: 'alice', password: 'alice', scope: 'openid' }, { DPoP: dpop });
    assert.equal(decodeJwt(login.access_token).typ, 'DPoP');
    assert.equal(decodeJwt(login.refresh_token!).cnf, undefined);
    const introspected = await oidc.tokenIntrospection(config, login.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.token_type, 'DPoP');
    assert.equal((introspected.cnf as { jkt: string }).jkt, key.thumbprint);

    // RFC 9449 §5: the confidential client's refresh token may move to a new key.
    const other = await proofKey();
    const moved = await oidc.refreshTokenGrant(config, login.refresh_token!, undefined, { DPoP: oidc.getDPoPHandle(config, other.keyPair) });
    assert.equal((decodeJwt(moved.access_token).cnf as { jkt: string }).jkt, other.thumbprint);
    // Without a proof, a client that does not require DPoP gets bearer tokens.
    const plain = await oidc.clientCredentialsGrant(config);
    assert.equal(plain.token_type.toLowerCase(), 'bearer');
    assert.equal(decodeJwt(plain.access_token).cnf, undefined);

    // Once the client requires DPoP, even its earlier bearer tokens need the DPoP scheme.
    const bearer = await post(urls.token, { ...passwordFields('svc'), client_secret: SECRET });
    assert.equal((await fetch(urls.userinfo, { headers: { authorization: `Bearer ${bearer.body.access_token}` } })).status, 200);
    const kc = await adminClient(server.url, {}, REALM);
    const [svc] = await kc.clients.find({ clientId: 'svc' });
    await kc.clients.update({ id: svc.id! }, { ...svc, attributes: { ...svc.attributes, 'dpop.bound.access.tokens': 'true' } });
    assert.equal((await fetch(urls.userinfo, { headers: { authorization: `Bearer ${bearer.body.access_token}` } })).status, 401);
    assert.deepEqual(await post(urls.token, { ...passwordFields('svc'), client_secret: SECRET }), { status: 400, body: { error: 'invalid_request', error_description: 'DPoP proof is missing' } });
  });

  it('refuses bad proofs at the token endpoint with Keycloak 26.7 texts', async () => {
    const key = await proofKey();
    const other = await proofKey();
    const rsa = await proofKey('PS256');
    const privateJwk = await exportJWK(key.keyPair.privateKey);
    const htu = urls.token;
    const used = await proof(key, { htu });
    assert.equal((await post(urls.token, passwordFields('cli'), { DPoP: used })).status, 200);
    const hmac = await new SignJWT({ htm: 'POST', htu, iat: now(), jti: 'h' }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: key.jwk }).sign(new TextEncoder().encode('a-shared-secret-of-32-characters'));
    const unsigned = `${encode({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk })}.${encode({ htm: 'POST', htu, iat: now(), jti: 'n' })}.`;
    const [, body, signature] = (await proof(key, { htu })).split('.');
    const cases: Array<[string, string | string[], string]> = [
      ['replayed', used, 'DPoP proof has already been used'],
      ['another htu', await proof(key, { htu: 'https://server.example.com/token' }), 'DPoP HTTP URL mismatch'],
      ['a malformed htu', await proof(key, { htu: ':::*;' }), 'Malformed HTTP URL in DPoP proof'],
      ['another htm', await proof(key, { htu, htm: 'GET' }), 'DPoP HTTP method mismatch'],
      ['an old iat', await proof(key, { htu, iat: now() - 60 }), 'DPoP proof is not active'],
      ['a future iat', await proof(key, { htu, iat: now() + 60 }), 'DPoP proof is not active'],
      ['a private key in jwk', await proof(key, { htu }, { jwk: privateJwk }), 'Private key material must not be present in DPoP JWK'],
      ['alg none', unsigned, 'Unsupported DPoP algorithm: none'],
      ['alg HS256', hmac, 'Unsupported DPoP algorithm: HS256'],
      ['no jwk', await proof(key, { htu }, { jwk: undefined }), 'No JWK in DPoP header'],
      ['a symmetric jwk', await proof(key, { htu }, { jwk: { kty: 'oct', k: 'c2VjcmV0' } }), 'Unsupported key type in DPoP header'],
      ['a jwk without its public key', await proof(key, { htu }, { jwk: { kty: 'EC', crv: 'P-256', y: key.jwk.y } }), 'No public key in DPoP header'],
      ['another typ', await proof(key, { htu }, { typ: 'JWT' }), 'Invalid or missing type in DPoP header: JWT'],
      ['no typ', await proof(key, { htu }, { typ: undefined }), 'Invalid or missing type in DPoP header: null'],
      ['an alg of another key type', await proof(rsa, { htu }, { jwk: key.jwk }, 'PS256'), 'Key with algorithm PS256 and type EC is incorrect for provider algorithm PS256'],
      ['a signature by another key', `${encode({ typ: 'dpop+jwt', alg: 'ES256', jwk: other.jwk })}.${body}.${signature}`, 'DPoP verification failure: org.keycloak.exceptions.TokenSignatureInvalidException: Invalid token signature'],
      ['a truncated signature', `${(await proof(key, { htu })).slice(0, -10)}`, 'DPoP verification failure: org.keycloak.common.VerificationException: Signing failed'],
      ['no jti', await proof(key, { htu, jti: '' }), 'DPoP mandatory claims are missing'],
      ['not a JWS', 'not-a-proof', 'DPoP header verification failure'],
      ['two proofs', [await proof(key, { htu }), await proof(key, { htu })], 'DPoP header verification failure'],
    ];
    for (const [label, value, description] of cases) {
      const headers: HeadersInit = Array.isArray(value) ? value.map((v): [string, string] => ['DPoP', v]) : { DPoP: value };
      const answer = await post(urls.token, passwordFields('cli'), headers);
      assert.deepEqual(answer, { status: 400, body: { error: 'invalid_request', error_description: description } }, label);
    }
    // An empty header is no proof: a client that does not require DPoP is told it is missing.
    assert.deepEqual(await post(urls.token, passwordFields('cli'), { DPoP: '' }), { status: 400, body: { error: 'invalid_request', error_description: 'DPoP proof is missing' } });
    assert.deepEqual(await post(urls.token, passwordFields('spa')), { status: 400, body: { error: 'invalid_request', error_description: 'DPoP proof is missing' } });
  });

  it('accepts a proof only for the request it was made for at userinfo', async () => {
    const key = await proofKey();
    const issued = await post(urls.token, passwordFields('cli'), { DPoP: await proof(key, { htu: urls.token }) });
    assert.equal(issued.status, 200);
    const token: string = issued.body.access_token;
    const plain: string = (await post(urls.token, passwordFields('cli'))).body.access_token;
    const userinfo = (authorization: string, dpop?: string) => fetch(urls.userinfo, { headers: { authorization, ...(dpop ? { DPoP: dpop } : {}) } });
    const good = await proof(key, { htu: urls.userinfo, htm: 'GET', ath: athOf(token) });
    assert.equal((await userinfo(`DPoP ${token}`, good)).status, 200);
    const challenge = `DPoP algs="PS384 RS384 EdDSA ES384 ES256 RS256 ES512 PS256 PS512 RS512", realm="${REALM}", error="invalid_token", error_description="Token verification failed"`;
    const refused: Array<[string, Promise<Response>]> = [
      ['replayed', userinfo(`DPoP ${token}`, good)],
      ['without a proof', userinfo(`DPoP ${token}`)],
      ['without ath', userinfo(`DPoP ${token}`, await proof(key, { htu: urls.userinfo, htm: 'GET' }))],
      ['with the ath of another token', userinfo(`DPoP ${token}`, await proof(key, { htu: urls.userinfo, htm: 'GET', ath: athOf(plain) }))],
      ['by another key', userinfo(`DPoP ${token}`, await proof(await proofKey(), { htu: urls.userinfo, htm: 'GET', ath: athOf(token) }))],
      ['made for the token endpoint', userinfo(`DPoP ${token}`, await proof(key, { htu: urls.token, htm: 'GET', ath: athOf(token) }))],
      ['with a bearer token', userinfo(`DPoP ${plain}`, await proof(key, { htu: urls.userinfo, htm: 'GET', ath: athOf(plain) }))],
    ];
    for (const [label, pending] of refused) {
      const response = await pending;
      assert.equal(response.status, 401, label);
      assert.equal(response.headers.get('www-authenticate'), challenge, label);
    }
    assert.equal((await userinfo(`dpop ${token}`, await proof(key, { htu: urls.userinfo, htm: 'GET', ath: athOf(token) }))).status, 200, 'the scheme is case-insensitive');
  });

  it('redeems a code requested with dpop_jkt only with a proof of that key', async () => {
    const key = await proofKey();
    const codeFor = async (jkt: string) => {
      const url = `${urls.auth}?client_id=cli&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&dpop_jkt=${encodeURIComponent(jkt)}`;
      return (await loginThroughForm(url, 'alice', 'alice', new CookieJar())).searchParams.get('code')!;
    };
    const redeem = async (code: string, dpop?: string) => post(urls.token, { grant_type: 'authorization_code', client_id: 'cli', code, redirect_uri: REDIRECT_URI }, dpop ? { DPoP: dpop } : {});
    assert.deepEqual(await redeem(await codeFor(key.thumbprint)), { status: 400, body: { error: 'invalid_request', error_description: 'DPoP Proof missing' } });
    assert.deepEqual(await redeem(await codeFor(key.thumbprint), await proof(await proofKey(), { htu: urls.token })), {
      status: 400,
      body: { error: 'invalid_request', error_description: 'DPoP Proof public key thumbprint does not match dpop_jkt' },
    });
    const bound = await redeem(await codeFor(key.thumbprint), await proof(key, { htu: urls.token }));
    assert.equal(bound.status, 200);
    assert.equal((decodeJwt(bound.body.access_token).cnf as { jkt: string }).jkt, key.thumbprint);
  });

  it('never lets a bound token act as a bearer token at the admin API', async () => {
    const key = await proofKey();
    const base = `${server.url}/realms/master/protocol/openid-connect/token`;
    const issued = await post(base, { grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }, { DPoP: await proof(key, { htu: base }) });
    assert.equal(decodeJwt(issued.body.access_token).typ, 'DPoP');
    const response = await fetch(`${server.url}/admin/realms`, { headers: { authorization: `Bearer ${issued.body.access_token}` } });
    assert.equal(response.status, 401);
  });
});

describe('DPoP proof replay across two nodes sharing PostgreSQL', () => {
  const { nodes } = twoNodesSharingPostgres();

  it('a proof used on one node is refused on the other', async () => {
    await seedRealm(nodes[0].url);
    const key = await proofKey();
    const used = await proof(key, { htu: endpoints('http://idp.test').token });
    const [first, second] = nodes.map((node) => endpoints(node.url).token);
    assert.equal((await post(first, passwordFields('cli'), { DPoP: used })).status, 200);
    assert.deepEqual(await post(second, passwordFields('cli'), { DPoP: used }), { status: 400, body: { error: 'invalid_request', error_description: 'DPoP proof has already been used' } });
  });
});
