/**
 * A throwaway self-signed certificate for `localhost` / 127.0.0.1, made at test time with the
 * machine's openssl binary, for tests of the HTTPS listener; and an HTTPS request that trusts it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

export interface TestCertificate {
  certificateFile: string;
  keyFile: string;
  certificate: Buffer;
}

export function selfSignedCertificate(directory: string): TestCertificate {
  const certificateFile = path.join(directory, 'tls.crt');
  const keyFile = path.join(directory, 'tls.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certificateFile],
    { stdio: 'ignore', timeout: 30_000 },
  );
  return { certificateFile, keyFile, certificate: fs.readFileSync(certificateFile) };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over HTTPS to 127.0.0.1 that trusts only `ca`. */
export function httpsRequest(port: number, ca: Buffer, requestPath: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', port, path: requestPath, method: options.method ?? 'GET', ca, headers: options.headers, timeout: 10_000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('HTTPS request timed out')));
    request.on('error', reject);
    request.end(options.body);
  });
}
