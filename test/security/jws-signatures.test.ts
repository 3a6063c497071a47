/**
 * Token signatures are node:crypto's (src/crypto/jwt.ts): every algorithm a realm key can have
 * must interoperate with an independent JOSE implementation (jose) both ways, and the checks a
 * library makes on keys and headers must still be made: key type and curve fit the algorithm,
 * RSA keys of at least 2048 bits, no critical header extensions, no DER-encoded ECDSA signatures.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, createSecretKey, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { CompactSign, compactVerify } from 'jose';
import { signAsymmetric, verifyJwt, InvalidSignature } from '../../src/crypto/jwt.ts';
import type { RealmKeys } from '../../src/crypto/keys.ts';

type Pair = { privateKey: KeyObject; publicKey: KeyObject };

const rsa = (bits: number): Pair => generateKeyPairSync('rsa', { modulusLength: bits });
const ec = (curve: string): Pair => generateKeyPairSync('ec', { namedCurve: curve });

const rsa2048 = rsa(2048);
const PAIRS: Record<string, Pair> = {
  RS256: rsa2048,
  RS384: rsa2048,
  RS512: rsa(3072),
  PS256: rsa2048,
  PS384: rsa2048,
  PS512: rsa2048,
  ES256: ec('prime256v1'),
  ES384: ec('secp384r1'),
  ES512: ec('secp521r1'),
  EdDSA: generateKeyPairSync('ed25519'),
};

/** The parts of a realm's key set that signing and verification read. */
function realmKeys(algorithm: string, pair: Pair, kid = `kid-${algorithm}`): RealmKeys {
  const signing = { kid, algorithm, privateKey: pair.privateKey };
  const hmac = { kid: 'hmac', key: createSecretKey(randomBytes(64)) };
  const verification = new Map([
    [kid, { algorithm, key: pair.publicKey }],
    ['hmac', { algorithm: 'HS512', key: hmac.key }],
  ]);
  return { signing, signingByAlgorithm: new Map([[algorithm, signing]]), hmac, verification } as unknown as RealmKeys;
}

const claims = { sub: 'alice', iss: 'http://127.0.0.1/realms/demo', n: 1 };
const joseSign = (algorithm: string, privateKey: KeyObject, header: Record<string, unknown> = {}) =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: algorithm, typ: 'JWT', kid: `kid-${algorithm}`, ...header }).sign(privateKey);

const refused = (promise: Promise<unknown>) => assert.rejects(promise, InvalidSignature);

describe('JWS signatures with node:crypto', () => {
  for (const [algorithm, pair] of Object.entries(PAIRS)) {
    it(`${algorithm}: holdfast's signature verifies with jose and jose's with holdfast`, async () => {
      const keys = realmKeys(algorithm, pair);
      const ours = await signAsymmetric(claims, keys, undefined, 'logout+jwt');
      const verified = await compactVerify(ours, pair.publicKey, { algorithms: [algorithm] });
      assert.deepEqual(JSON.parse(new TextDecoder().decode(verified.payload)), claims);
      assert.deepEqual(verified.protectedHeader, { alg: algorithm, typ: 'logout+jwt', kid: `kid-${algorithm}` });
      assert.deepEqual(await verifyJwt(await joseSign(algorithm, pair.privateKey), keys, 'asymmetric'), claims);
      assert.deepEqual(await verifyJwt(ours, keys, 'asymmetric'), claims);
    });
  }

  it('a changed payload or signature is refused', async () => {
    for (const algorithm of ['RS256', 'PS256', 'ES256']) {
      const keys = realmKeys(algorithm, PAIRS[algorithm]);
      const [header, payload, signature] = (await signAsymmetric(claims, keys)).split('.');
      const otherPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
      await refused(verifyJwt(`${header}.${otherPayload}.${signature}`, keys, 'asymmetric'));
      const flipped = Buffer.from(signature, 'base64url');
      flipped[0] ^= 1;
      await refused(verifyJwt(`${header}.${payload}.${flipped.toString('base64url')}`, keys, 'asymmetric'));
      await refused(verifyJwt(`${header}.${payload}.${signature.slice(0, 20)}`, keys, 'asymmetric'));
    }
  });

  it('a header naming a critical extension is refused, even with a good signature', async () => {
    const keys = realmKeys('RS256', PAIRS.RS256);
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'kid-RS256', crit: ['exp'], exp: 1 })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = nodeSign('sha256', Buffer.from(`${header}.${payload}`), PAIRS.RS256.privateKey).toString('base64url');
    await refused(verifyJwt(`${header}.${payload}.${signature}`, keys, 'asymmetric'));
  });

  it('a header whose alg differs from the key’s is refused (no RS256 token passes as PS256, none as HS512)', async () => {
    const keys = realmKeys('PS256', PAIRS.PS256);
    await refused(verifyJwt(await joseSign('RS256', PAIRS.PS256.privateKey, { kid: 'kid-PS256' }), keys, 'asymmetric'));
    await refused(verifyJwt(await joseSign('PS256', PAIRS.PS256.privateKey), keys, 'hmac'));
  });

  it('an ECDSA signature in DER rather than r || s is refused', async () => {
    const keys = realmKeys('ES256', PAIRS.ES256);
    const [header, payload] = (await signAsymmetric(claims, keys)).split('.');
    const der = nodeSign('sha256', Buffer.from(`${header}.${payload}`), PAIRS.ES256.privateKey).toString('base64url');
    await refused(verifyJwt(`${header}.${payload}.${der}`, keys, 'asymmetric'));
  });

  it('an RSA key under 2048 bits neither signs nor verifies', async () => {
    const weak = rsa(1024);
    const keys = realmKeys('RS256', weak);
    await assert.rejects(signAsymmetric(claims, keys));
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'kid-RS256' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = nodeSign('sha256', Buffer.from(`${header}.${payload}`), weak.privateKey).toString('base64url');
    await refused(verifyJwt(`${header}.${payload}.${signature}`, keys, 'asymmetric'));
  });

  it('a key of the wrong type or curve for its algorithm is refused', async () => {
    await assert.rejects(signAsymmetric(claims, realmKeys('ES256', PAIRS.ES384)));
    await assert.rejects(signAsymmetric(claims, realmKeys('RS256', PAIRS.ES256)));
    const keys = realmKeys('ES256', PAIRS.ES384);
    const [, payload] = (await signAsymmetric(claims, realmKeys('ES384', PAIRS.ES384, 'kid-ES256'))).split('.');
    const relabelled = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'kid-ES256' })).toString('base64url');
    const signature = nodeSign('sha256', Buffer.from(`${relabelled}.${payload}`), { key: PAIRS.ES384.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    await refused(verifyJwt(`${relabelled}.${payload}.${signature}`, keys, 'asymmetric'));
  });
});
