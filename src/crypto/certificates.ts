/**
 * X.509 certificates and PKCS#12 keystores for client credentials (a client's
 * `jwt.credential`): a self-signed certificate as Keycloak generates one (RSA 4096, CN = the
 * client id, SHA-256, three years), a keystore to download it in, and reading the certificate
 * out of an uploaded PEM or PKCS#12 file. Certificates are built by certificate.ts (as realm
 * keys' are); node-forge is used only for PKCS#12, which Node's crypto cannot read or write.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type forge from 'node-forge';
import { lazyRequire } from '../lazy-require.ts';
import { parseCertificate, selfSignedCertificate } from './certificate.ts';

const generateRsa = promisify(generateKeyPair);
const nodeForge = lazyRequire<typeof forge>('node-forge');

export interface GeneratedCertificate {
  /** Base64 DER, as Keycloak's CertificateRepresentation.certificate. */
  certificate: string;
  /** Base64 DER of the PKCS#1 RSAPrivateKey, as Keycloak's CertificateRepresentation.privateKey. */
  privateKey: string;
  /** The private key as PEM, for a keystore. */
  privateKeyPem: string;
}

const VALIDITY_YEARS = 3;

export async function generateSelfSignedCertificate(commonName: string, nowMs: number, modulusLength = 4096): Promise<GeneratedCertificate> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength });
  return {
    certificate: selfSignedCertificate(commonName, privateKey, publicKey, nowMs, VALIDITY_YEARS),
    privateKey: (privateKey.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('base64'),
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  };
}

/** A PKCS#12 keystore holding the certificate (and its private key when given) under `alias`. */
export function pkcs12Keystore(options: { certificate: string; privateKeyPem?: string; alias: string; storePassword: string }): Buffer {
  const forge = nodeForge();
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(options.certificate, 'base64').toString('binary')));
  const key = options.privateKeyPem === undefined ? null : forge.pki.privateKeyFromPem(options.privateKeyPem);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], options.storePassword, { algorithm: '3des', friendlyName: options.alias });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

export class CertificateFileError extends Error {}

export interface UploadedCertificate {
  certificate: string;
  /** Whether the file also held a private key (which holdfast does not keep). */
  hadPrivateKey: boolean;
}

/** The certificate in a PEM file (`Certificate PEM`). */
export function certificateFromPem(text: string): UploadedCertificate {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  if (!match) throw new CertificateFileError('The file holds no PEM certificate');
  const parsed = parseCertificate(match[1]);
  if (!parsed) throw new CertificateFileError('The PEM certificate is not a valid X.509 certificate');
  return { certificate: parsed.base64, hadPrivateKey: /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text) };
}

/** The certificate under `alias` (or the only one) in a PKCS#12 keystore. */
export function certificateFromPkcs12(file: Buffer, storePassword: string, alias?: string): UploadedCertificate {
  const forge = nodeForge();
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(file.toString('binary')), storePassword);
  } catch {
    throw new CertificateFileError('The keystore cannot be read with this store password');
  }
  const bags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const chosen = bags.filter((b) => alias === undefined || alias === '' || b.attributes.friendlyName?.[0] === alias);
  const cert = chosen[0]?.cert;
  if (!cert) throw new CertificateFileError(alias ? `The keystore holds no certificate under alias '${alias}'` : 'The keystore holds no certificate');
  const keys = [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag].flatMap((type) => p12.getBags({ bagType: type })[type] ?? []);
  return { certificate: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary').toString('base64'), hadPrivateKey: keys.length > 0 };
}
