/**
 * Self-signed X.509 certificates for realm keys, as Keycloak makes them: version 1, subject and
 * issuer `CN=<realm>`, the creation time in milliseconds as serial number, valid for ten years.
 * Relying parties that pin `x5c`/`x5t#S256` from the JWKS need one per RSA key. Node's crypto
 * parses certificates but cannot write them, so the DER is encoded with @peculiar/asn1-x509 and
 * signed here with node:crypto.
 */
import { createHash, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { lazyRequire } from '../lazy-require.ts';

// Only written when a key is made (first start, rotation, a client's credential), so loaded then.
const asn1Schema = lazyRequire<typeof import('@peculiar/asn1-schema')>('@peculiar/asn1-schema');
const asn1X509 = lazyRequire<typeof import('@peculiar/asn1-x509')>('@peculiar/asn1-x509');

const COMMON_NAME = '2.5.4.3';
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const DER_NULL = new Uint8Array([5, 0]).buffer;

const arrayBuffer = (bytes: Buffer): ArrayBuffer => new Uint8Array(bytes).buffer;

/** Base64 DER of a new self-signed certificate for the key pair (realm keys: ten years, client credentials: three). */
export function selfSignedCertificate(commonName: string, privateKey: KeyObject, publicKey: KeyObject, nowMs: number, validityYears = 10): string {
  const { AsnConvert } = asn1Schema();
  const { AlgorithmIdentifier, AttributeTypeAndValue, AttributeValue, Certificate, Name, RelativeDistinguishedName, SubjectPublicKeyInfo, TBSCertificate, Validity, Version } = asn1X509();
  const notAfter = new Date(nowMs);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);
  const name = new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: commonName }) })])]);
  // RSA signature algorithms carry an explicit NULL parameter (RFC 4055), ECDSA none (RFC 5758).
  const signature = new AlgorithmIdentifier(privateKey.asymmetricKeyType === 'rsa' ? { algorithm: SHA256_WITH_RSA, parameters: DER_NULL } : { algorithm: ECDSA_WITH_SHA256 });
  const tbsCertificate = new TBSCertificate({
    version: Version.v1,
    serialNumber: arrayBuffer(Buffer.from(nowMs.toString(16).padStart(12, '0'), 'hex')),
    signature,
    issuer: name,
    validity: new Validity({ notBefore: new Date(nowMs), notAfter }),
    subject: name,
    subjectPublicKeyInfo: AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
  });
  const signatureValue = arrayBuffer(sign('sha256', Buffer.from(AsnConvert.serialize(tbsCertificate)), privateKey));
  return Buffer.from(AsnConvert.serialize(new Certificate({ tbsCertificate, signatureAlgorithm: signature, signatureValue }))).toString('base64');
}

export interface ParsedCertificate {
  /** Base64 DER, as Keycloak shows and exports it. */
  base64: string;
  /** notAfter in milliseconds (Keycloak's `validTo`). */
  validTo: number;
  publicKey: KeyObject;
  x5t: string;
  x5tS256: string;
}

/** A base64 DER or PEM certificate, or undefined if it is not one. */
export function parseCertificate(text: string): ParsedCertificate | undefined {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const der = Buffer.from(body, 'base64');
  try {
    const certificate = new X509Certificate(der);
    return {
      base64: der.toString('base64'),
      validTo: Date.parse(certificate.validTo),
      publicKey: certificate.publicKey,
      x5t: createHash('sha1').update(der).digest('base64url'),
      x5tS256: createHash('sha256').update(der).digest('base64url'),
    };
  } catch {
    return undefined;
  }
}
