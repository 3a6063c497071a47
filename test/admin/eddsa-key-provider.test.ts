/**
 * The `eddsa-generated` key provider as realm files carry it: Keycloak's full export writes the
 * key as `eddsaPrivateKey`/`eddsaPublicKey` (base64 DER) beside `eddsaEllipticCurveKey`; an import
 * keeps the key (same kid, so Keycloak's EdDSA tokens still verify) and an export writes it back
 * the same way. A key of another curve than the one named is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { planKeyProvider, toComponentExport, KeyProviderProblem } from '../../src/admin/components/key-providers.ts';
import { asymmetricKid, importRealmKeys, generateRealmKeys } from '../../src/crypto/index.ts';
import type { Realm } from '../../src/realm/index.ts';

const realm = { id: 'r1', name: 'eddsa' } as Realm;
const options = { realm, nowMs: Date.now(), source: 'file' as const };

describe('eddsa-generated in realm files', () => {
  for (const curve of ['Ed25519', 'Ed448'] as const) {
    it(`imports and exports a Keycloak ${curve} key unchanged`, async () => {
      const { privateKey, publicKey } = curve === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448');
      const der = (privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64');
      const spki = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
      const key = await planKeyProvider(
        { id: 'c1', name: 'eddsa-generated', providerId: 'eddsa-generated', config: { priority: ['100'], eddsaEllipticCurveKey: [curve], eddsaPrivateKey: [der], eddsaPublicKey: [spki] } },
        options,
      );
      assert.equal(key.kind, 'okp');
      assert.equal(key.algorithm, 'EdDSA');
      assert.equal(key.kid, asymmetricKid(publicKey));
      assert.equal(key.component?.certificate, undefined);
      const exported = toComponentExport(key) as { config: Record<string, string[]> };
      assert.deepEqual(exported.config.eddsaEllipticCurveKey, [curve]);
      assert.deepEqual(exported.config.eddsaPrivateKey, [der]);
      assert.deepEqual(exported.config.eddsaPublicKey, [spki]);
      assert.equal(exported.config.kid, undefined, 'the kid follows from the public key');

      const keys = importRealmKeys([...(await generateRealmKeys('r1', 'eddsa', Date.now())), key], 'EdDSA');
      assert.equal(keys.signing.kid, key.kid);
      const jwk = keys.jwks.find((k) => k.kid === key.kid)!;
      assert.deepEqual({ kty: jwk.kty, crv: jwk.crv, alg: jwk.alg, use: jwk.use }, { kty: 'OKP', crv: curve, alg: 'EdDSA', use: 'sig' });
      assert.equal(createPublicKey({ key: { kty: 'OKP', crv: curve, x: jwk.x! }, format: 'jwk' }).equals(publicKey), true);
    });
  }

  it('names the curve of a key given without one, as Keycloak writes it', async () => {
    const { privateKey } = generateKeyPairSync('ed448');
    const der = (privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64');
    const key = await planKeyProvider({ providerId: 'eddsa-generated', config: { eddsaPrivateKey: [der] } }, options);
    assert.deepEqual(key.component?.config.eddsaEllipticCurveKey, ['Ed448']);
    const generated = await planKeyProvider({ providerId: 'eddsa-generated', config: {} }, { ...options, source: 'admin' });
    assert.deepEqual(generated.component?.config.eddsaEllipticCurveKey, ['Ed25519']);
  });

  it('refuses a key of another curve than the one named, and material that is no key', async () => {
    const { privateKey } = generateKeyPairSync('ed448');
    const der = (privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64');
    const plan = (config: Record<string, string[]>) => planKeyProvider({ providerId: 'eddsa-generated', config }, options);
    await assert.rejects(plan({ eddsaEllipticCurveKey: ['Ed25519'], eddsaPrivateKey: [der] }), (e) => e instanceof KeyProviderProblem && e.message === 'Failed to decode private key');
    await assert.rejects(plan({ eddsaPrivateKey: ['bm90IGEga2V5'] }), (e) => e instanceof KeyProviderProblem && e.message === 'Failed to decode private key');
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await assert.rejects(plan({ eddsaPrivateKey: [(rsa.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64')] }), KeyProviderProblem);
    await assert.rejects(planKeyProvider({ providerId: 'eddsa-generated', config: { eddsaPrivateKey: [der] } }, { ...options, source: 'admin' }), KeyProviderProblem, 'the admin API takes no key material');
  });
});
