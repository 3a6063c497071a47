/**
 * Realm signing keys of every algorithm Keycloak 26 signs tokens with (RS*, PS*, ES*, EdDSA on
 * Ed25519 and Ed448), chosen per client (`access.token.signed.response.alg`,
 * `id.token.signed.response.alg`, `userinfo.token.signed.response.alg`) or for the realm
 * (`defaultSignatureAlgorithm`), against a listening holdfast. Tokens are verified against the
 * published JWKS, signed userinfo through openid-client 6; JWKS entries and key metadata have
 * Keycloak's shape (`kty` OKP for EdDSA); forged headers (`alg: none`, a swapped `alg`) are refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, failure, startAdminServer, type AdminServer } from '../admin/admin-support.ts';

const REALM = 'signing';
const KEY_PROVIDER = 'org.keycloak.keys.KeyProvider';

const parts = (token: string) => token.split('.').map((part, i) => (i < 2 ? JSON.parse(Buffer.from(part, 'base64url').toString()) : part)) as [Record<string, any>, Record<string, any>, string];

describe('signing algorithms', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let issuer: string;
  let jwks: { keys: Array<Record<string, any>> };

  const password = async (clientId: string) => {
    const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: clientId, client_secret: 'secret', grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as { access_token: string; id_token: string };
  };
  /** Verifies with node:crypto from the JWKS entry its `kid` names (jose cannot verify Ed448). */
  const verifiedWithJwks = (token: string) => {
    const [header] = parts(token);
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    assert.ok(jwk, `the JWKS has ${header.kid}`);
    assert.equal(jwk.alg, header.alg);
    const key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
    const signingInput = Buffer.from(token.slice(0, token.lastIndexOf('.')));
    const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
    const ok =
      header.alg === 'EdDSA'
        ? crypto.verify(null, signingInput, key, signature)
        : crypto.verify(`sha${header.alg.slice(2)}`, signingInput, header.alg.startsWith('PS') ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(header.alg.slice(2)) / 8 } : header.alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
    assert.ok(ok, `${header.alg} signature verifies`);
    return jwk;
  };

  before(async () => {
    server = await startAdminServer();
    issuer = `${server.url}/realms/${REALM}`;
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    const realmId = (await kc.realms.findOne({ realm: REALM }))!.id!;
    const provider = (name: string, providerId: string, config: Record<string, string[]>) => kc.components.create({ name, providerId, providerType: KEY_PROVIDER, parentId: realmId, config: { priority: ['100'], ...config } });
    await provider('ps256', 'rsa-generated', { algorithm: ['PS256'] });
    await provider('es384', 'ecdsa-generated', { ecdsaEllipticCurveKey: ['P-384'] });
    await provider('es512', 'ecdsa-generated', { ecdsaEllipticCurveKey: ['P-521'], ecGenerateCertificate: ['true'] });
    await provider('ed25519', 'eddsa-generated', { eddsaEllipticCurveKey: ['Ed25519'] });
    for (const [clientId, alg] of [['ps', 'PS256'], ['es384', 'ES384'], ['es512', 'ES512'], ['ed', 'EdDSA'], ['es256', 'ES256']]) {
      await kc.clients.create({ clientId, secret: 'secret', directAccessGrantsEnabled: true, attributes: { 'access.token.signed.response.alg': alg, 'id.token.signed.response.alg': alg, 'userinfo.token.signed.response.alg': alg } });
    }
    await kc.clients.create({ clientId: 'plain', secret: 'secret', directAccessGrantsEnabled: true });
    await kc.users.create({ username: 'alice', enabled: true, email: 'alice@example.com', firstName: 'Alice', lastName: 'L', credentials: [{ type: 'password', value: 'alice-pw', temporary: false }] });
    // The first token request loads the realm, which makes the fallback ES256 key the `es256` client asks for.
    await password('plain');
    jwks = (await (await fetch(`${issuer}/protocol/openid-connect/certs`)).json()) as typeof jwks;
  });
  after(async () => {
    await server?.close();
  });

  it('signs access and ID tokens with each client’s algorithm; the JWKS verifies them', async () => {
    const remote = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    for (const [clientId, alg] of [['plain', 'RS256'], ['ps', 'PS256'], ['es256', 'ES256'], ['es384', 'ES384'], ['es512', 'ES512'], ['ed', 'EdDSA']]) {
      const tokens = await password(clientId);
      for (const token of [tokens.access_token, tokens.id_token]) {
        const [header] = parts(token);
        assert.equal(header.alg, alg, clientId);
        assert.equal(header.typ, 'JWT');
        verifiedWithJwks(token);
        // jose, as relying parties use it, agrees.
        await jwtVerify(token, remote, { issuer, algorithms: [alg] });
      }
      // at_hash uses the algorithm's hash: SHA-512 for EdDSA on Ed25519, as for *512.
      const bits = alg === 'EdDSA' ? '512' : alg.slice(2);
      const digest = crypto.createHash(`sha${bits}`).update(tokens.access_token).digest();
      assert.equal(parts(tokens.id_token)[1].at_hash, digest.subarray(0, digest.length / 2).toString('base64url'), `${clientId} at_hash`);
    }
  });

  it("publishes Keycloak's JWKS entries: OKP for EdDSA, x5c where the key has a certificate", async () => {
    const byAlg = (alg: string) => jwks.keys.filter((k) => k.alg === alg);
    const [ed] = byAlg('EdDSA');
    assert.deepEqual(Object.keys(ed), ['kid', 'kty', 'alg', 'use', 'crv', 'x']);
    assert.deepEqual({ kty: ed.kty, use: ed.use, crv: ed.crv }, { kty: 'OKP', use: 'sig', crv: 'Ed25519' });
    const [ps] = byAlg('PS256');
    assert.equal(ps.kty, 'RSA');
    assert.equal(ps.x5c.length, 1);
    assert.ok(ps.x5t && ps['x5t#S256']);
    assert.equal(byAlg('ES384')[0].x5c, undefined, 'ecdsa-generated makes a certificate only when asked');
    assert.equal(byAlg('ES512')[0].crv, 'P-521');
    assert.equal(byAlg('ES512')[0].x5c.length, 1);
    const keys = await kc.realms.getKeys({ realm: REALM });
    assert.equal(keys.active!.EdDSA, ed.kid);
    const metadata = keys.keys!.find((k) => k.kid === ed.kid)! as { type?: string; algorithm?: string; use?: string; publicKey?: string };
    assert.equal(metadata.type, 'OKP');
    assert.equal(metadata.algorithm, 'EdDSA');
    assert.equal(metadata.use, 'SIG');
    assert.ok(metadata.publicKey!.startsWith('MCowBQYDK2Vw'), 'an Ed25519 SubjectPublicKeyInfo');
  });

  it('answers signed userinfo (application/jwt) that openid-client verifies', async () => {
    for (const [clientId, alg] of [['es256', 'ES256'], ['ed', 'EdDSA'], ['ps', 'PS256']]) {
      const tokens = await password(clientId);
      const response = await fetch(`${issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^application\/jwt/);
      const jwt = await response.text();
      const [header, claims] = parts(jwt);
      assert.equal(header.alg, alg);
      assert.equal(claims.iss, issuer);
      assert.equal(claims.aud, clientId);
      assert.equal(claims.preferred_username, 'alice');
      verifiedWithJwks(jwt);
      const config = await oidc.discovery(new URL(issuer), clientId, { userinfo_signed_response_alg: alg }, oidc.ClientSecretPost('secret'), { execute: [oidc.allowInsecureRequests] });
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, parts(tokens.id_token)[1].sub);
      assert.equal(userinfo.email, 'alice@example.com');
    }
    // Without the attribute: plain JSON.
    const plain = await password('plain');
    const response = await fetch(`${issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${plain.access_token}` } });
    assert.match(response.headers.get('content-type')!, /^application\/json/);
  });

  it('lists the signing algorithms in discovery in Keycloak’s order', async () => {
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    const algs = ['PS384', 'RS384', 'EdDSA', 'ES384', 'ES256', 'RS256', 'ES512', 'PS256', 'PS512', 'RS512'];
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, algs);
    assert.deepEqual(discovery.userinfo_signing_alg_values_supported, [...algs, 'none']);
  });

  it('signs with EdDSA (Ed448) as the realm default, from a fallback or a chosen curve', async () => {
    await kc.realms.update({ realm: REALM }, { defaultSignatureAlgorithm: 'EdDSA' });
    const ed25519 = await password('plain');
    assert.equal(parts(ed25519.access_token)[0].alg, 'EdDSA');
    const realmId = (await kc.realms.findOne({ realm: REALM }))!.id!;
    await kc.components.create({ name: 'ed448', providerId: 'eddsa-generated', providerType: KEY_PROVIDER, parentId: realmId, config: { priority: ['200'], eddsaEllipticCurveKey: ['Ed448'] } });
    jwks = (await (await fetch(`${issuer}/protocol/openid-connect/certs`)).json()) as typeof jwks;
    const ed448 = await password('plain');
    const jwk = verifiedWithJwks(ed448.access_token);
    assert.equal(jwk.crv, 'Ed448');
    // Keycloak's Ed448 hash is SHAKE256 at Java's default 64 bytes (checked against Keycloak 26.7).
    const shake = crypto.createHash('shake256', { outputLength: 64 }).update(ed448.access_token).digest();
    assert.equal(parts(ed448.id_token)[1].at_hash, shake.subarray(0, 32).toString('base64url'));
    // The Ed25519 token issued before still verifies (its key is still published and enabled).
    const introspect = await fetch(`${issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${ed25519.access_token}` } });
    assert.equal(introspect.status, 200);
    await kc.realms.update({ realm: REALM }, { defaultSignatureAlgorithm: 'RS256' });
  });

  it('refuses bad key provider settings and forged token headers', async () => {
    const realmId = (await kc.realms.findOne({ realm: REALM }))!.id!;
    const bad = await failure(kc.components.create({ name: 'bad', providerId: 'eddsa-generated', providerType: KEY_PROVIDER, parentId: realmId, config: { eddsaEllipticCurveKey: ['P-256'] } }));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorMessage, "'Elliptic Curve' should be Ed25519 or Ed448");
    const unknown = await failure(kc.components.create({ name: 'bad', providerId: 'eddsa-generated', providerType: KEY_PROVIDER, parentId: realmId, config: { algorithm: ['EdDSA'] } }));
    assert.equal(unknown.status, 400);

    const { access_token: token } = await password('ed');
    const [header, claims, signature] = parts(token);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forged = [
      `${encode({ alg: 'none', typ: 'JWT', kid: header.kid })}.${encode(claims)}.`,
      `${encode({ alg: 'none', typ: 'JWT', kid: header.kid })}.${encode(claims)}.${signature}`,
      `${encode({ ...header, alg: 'RS256' })}.${encode(claims)}.${signature}`,
      `${encode({ ...header, alg: 'HS256' })}.${encode(claims)}.${signature}`,
      `${encode(header)}.${encode({ ...claims, sub: 'someone-else' })}.${signature}`,
    ];
    for (const candidate of forged) {
      const response = await fetch(`${issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${candidate}` } });
      assert.equal(response.status, 401, candidate.slice(0, 40));
      const introspected = await fetch(`${issuer}/protocol/openid-connect/token/introspect`, { method: 'POST', body: new URLSearchParams({ client_id: 'ed', client_secret: 'secret', token: candidate }) });
      assert.equal(introspected.status, 200);
      assert.deepEqual(await introspected.json(), { active: false });
    }
  });
});
