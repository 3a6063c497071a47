/**
 * `/clients/{id}/certificates/{attr}`: the certificate a client authenticates with (`jwt.credential`
 * for signed-JWT client authentication), kept in the client attribute `<attr>.certificate` as
 * Keycloak keeps it. `generate` makes a key pair and answers the private key once: holdfast never
 * stores a client's private key (a client only needs its certificate on the server), so
 * `download` gives the certificate alone and `upload` of a file that carries a private key is
 * refused. Keystores are PKCS#12; JKS and BCFKS are Java formats holdfast does not write.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import {
  CertificateFileError,
  certificateFromPem,
  certificateFromPkcs12,
  generateSelfSignedCertificate,
  pkcs12Keystore,
  type UploadedCertificate,
} from '../../crypto/index.ts';
import { AdminError, adminBadRequest, adminNotFound } from '../../errors/index.ts';
import type { Client } from '../../realm/index.ts';
import { type Permission } from '../admin-auth.ts';
import { findClient } from '../admin-lookups.ts';
import { adminScope, readBody, type AdminScope } from '../admin-request.ts';
import { boolean, object, string } from '../json-shape.ts';
import { requireActOnClient } from '../role-grants.ts';
import { SUPPORTED_KEYSTORE_TYPES } from '../server-info/server-info.ts';

const ATTRIBUTE = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_UPLOAD = 64 * 1024;
const UPLOAD_FORMATS = ['Certificate PEM', 'PKCS12'];

const keystoreConfig = object({ format: string, keyAlias: string, keyPassword: string, storePassword: string, realmAlias: string, realmCertificate: boolean });

interface Target extends AdminScope {
  client: Client;
  attribute: string;
}

async function target(ctx: Context, request: FastifyRequest, permission: Permission): Promise<Target> {
  const scope = await adminScope(ctx, request, permission);
  const client = findClient(scope.realm, (request.params as { id: string }).id);
  const { attr } = request.params as { attr: string };
  if (!ATTRIBUTE.test(attr)) throw adminBadRequest('attr: letters, digits, dots, dashes or underscores, at most 64', 'attr');
  if (permission === 'manage-clients') await requireActOnClient(ctx, scope.identity, scope.realm, client);
  return { ...scope, client, attribute: `${attr}.certificate` };
}

async function storeCertificate(ctx: Context, { client, attribute }: Target, certificate: string): Promise<void> {
  await ctx.realms.repository.updateClient({ ...client, attributes: { ...client.attributes, [attribute]: certificate } });
  await ctx.realms.realmChanged(client.realmId);
}

/** The keystore request of `download` and `generate-and-download`, checked as Keycloak orders its checks. */
function keystoreRequest(request: FastifyRequest, needsKeyPassword: boolean): { alias: string; storePassword: string } {
  const config = readBody(request, keystoreConfig);
  if (config.format === undefined || config.format === '') throw adminBadRequest('format: required', 'format');
  if (!SUPPORTED_KEYSTORE_TYPES.includes(config.format)) {
    throw new AdminError(406, { error: `Not supported keystore format. Supported keystore formats: [${SUPPORTED_KEYSTORE_TYPES.join(', ')}]` });
  }
  if (!config.storePassword) throw new AdminError(400, { error: 'password-missing', error_description: 'Need to specify a store password for jks download' });
  if (needsKeyPassword && !config.keyPassword) throw new AdminError(400, { error: 'password-missing', error_description: 'Need to specify a key password for jks generation and download' });
  // A PKCS#12 file from node-forge protects its key with the store password.
  if (config.keyPassword && config.keyPassword !== config.storePassword) {
    throw adminBadRequest('keyPassword: holdfast protects the key of a PKCS12 keystore with the store password; give the same password or none', 'keyPassword');
  }
  if (config.realmCertificate === true) throw adminBadRequest('realmCertificate: holdfast realms have no certificate to include', 'realmCertificate');
  return { alias: config.keyAlias || 'key', storePassword: config.storePassword };
}

function sendKeystore(reply: FastifyReply, keystore: Buffer): FastifyReply {
  return reply.type('application/octet-stream').send(keystore);
}

/** The uploaded file and form fields (`keystoreFormat`, `keyAlias`, `storePassword`, `file`). */
async function readUpload(request: FastifyRequest): Promise<{ fields: Record<string, string>; file?: Buffer }> {
  if (!request.isMultipart()) throw adminBadRequest('Expected a multipart/form-data body');
  const fields: Record<string, string> = {};
  let file: Buffer | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: MAX_UPLOAD, files: 1, fields: 10 } })) {
      if (part.type === 'file') file = await part.toBuffer();
      else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch {
    throw adminBadRequest(`The upload must be one file of at most ${MAX_UPLOAD} bytes and a few fields`);
  }
  return { fields, file };
}

function uploadedCertificate(fields: Record<string, string>, file: Buffer | undefined): UploadedCertificate {
  const format = fields.keystoreFormat;
  if (!UPLOAD_FORMATS.includes(format)) throw adminBadRequest(`keystoreFormat: one of ${UPLOAD_FORMATS.join(', ')}`, 'keystoreFormat');
  if (!file || file.length === 0) throw adminBadRequest('file: required', 'file');
  try {
    return format === 'PKCS12' ? certificateFromPkcs12(file, fields.storePassword ?? '', fields.keyAlias) : certificateFromPem(file.toString('utf8'));
  } catch (error) {
    if (error instanceof CertificateFileError) throw adminBadRequest(error.message, 'file');
    throw error;
  }
}

export async function clientCertificateRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  await app.register(multipart);
  const base = '/admin/realms/:realm/clients/:id/certificates/:attr';

  app.get(base, async (request) => {
    const { client, attribute } = await target(ctx, request, 'view-clients');
    const certificate = client.attributes[attribute];
    return certificate === undefined ? {} : { certificate };
  });

  app.post(`${base}/generate`, async (request) => {
    const found = await target(ctx, request, 'manage-clients');
    const generated = await generateSelfSignedCertificate(found.client.clientId, ctx.clock.nowMs());
    await storeCertificate(ctx, found, generated.certificate);
    return { privateKey: generated.privateKey, certificate: generated.certificate };
  });

  app.post(`${base}/generate-and-download`, async (request, reply) => {
    const found = await target(ctx, request, 'manage-clients');
    const { alias, storePassword } = keystoreRequest(request, true);
    const generated = await generateSelfSignedCertificate(found.client.clientId, ctx.clock.nowMs());
    await storeCertificate(ctx, found, generated.certificate);
    return sendKeystore(reply, pkcs12Keystore({ certificate: generated.certificate, privateKeyPem: generated.privateKeyPem, alias, storePassword }));
  });

  app.post(`${base}/download`, async (request, reply) => {
    const { client, attribute } = await target(ctx, request, 'view-clients');
    const { alias, storePassword } = keystoreRequest(request, false);
    const certificate = client.attributes[attribute];
    if (certificate === undefined) throw adminNotFound('keypair not generated for client');
    return sendKeystore(reply, pkcs12Keystore({ certificate, alias, storePassword }));
  });

  for (const action of ['upload', 'upload-certificate']) {
    app.post(`${base}/${action}`, async (request) => {
      const found = await target(ctx, request, 'manage-clients');
      const { fields, file } = await readUpload(request);
      const uploaded = uploadedCertificate(fields, file);
      if (uploaded.hadPrivateKey && action === 'upload') {
        throw adminBadRequest('file: holdfast does not store client private keys; upload a file with the certificate only, or use upload-certificate', 'file');
      }
      await storeCertificate(ctx, found, uploaded.certificate);
      return { certificate: uploaded.certificate };
    });
  }
}
