/**
 * The HTTPS listener (`--https-certificate-file`, `--https-certificate-key-file`, on
 * `--https-port`, 8443 by default as in Keycloak), served by the same routes as the HTTP one,
 * and HSTS on every response a client received over HTTPS (directly or through a trusted proxy),
 * with Keycloak's default header value. Plain-HTTP responses never carry it (RFC 6797 §7.2).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config/index.ts';

const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

export interface TlsFiles {
  httpsCertificateFile?: string;
  httpsCertificateKeyFile?: string;
}

/** Reads and checks the certificate and key; a bad file is a configuration error (exit code 2). */
export function loadTlsCredentials(files: TlsFiles): { cert: Buffer; key: Buffer } | undefined {
  if (!files.httpsCertificateFile || !files.httpsCertificateKeyFile) return undefined;
  const read = (flag: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new ConfigError(`--${flag}: cannot read '${file}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const credentials = { cert: read('https-certificate-file', files.httpsCertificateFile), key: read('https-certificate-key-file', files.httpsCertificateKeyFile) };
  try {
    tls.createSecureContext(credentials);
  } catch (error) {
    throw new ConfigError(`--https-certificate-file / --https-certificate-key-file: not a usable certificate and key (${(error as Error).message.split('\n')[0]})`);
  }
  return credentials;
}

/**
 * A Fastify `serverFactory` that answers on an HTTP server (Fastify's own, `app.server`) and,
 * given credentials, on an HTTPS server with the same handler, which the caller listens on.
 */
export function serverFactoryWithHttps(credentials: { cert: Buffer; key: Buffer } | undefined) {
  let httpsServer: https.Server | undefined;
  const serverFactory = (handler: http.RequestListener) => {
    if (credentials) httpsServer = https.createServer(credentials, handler);
    return http.createServer(handler);
  };
  return { serverFactory, httpsServer: () => httpsServer };
}

export function registerHsts(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (request.clientConnection?.scheme === 'https') reply.header('strict-transport-security', STRICT_TRANSPORT_SECURITY);
  });
}
