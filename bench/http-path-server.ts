/**
 * The servers bench/http-path.ts compares (`--mode node|fastify|holdfast --port N`): each answers
 * the token endpoint's POST with a token response of a real one's size, after reading the form,
 * and does nothing else, so what each costs per request is its HTTP path alone.
 * - node: node:http, the body read and parsed by hand (the least any HTTP path can cost);
 * - fastify: Fastify with holdfast's form parser and nothing else;
 * - holdfast: holdfast's own public instance with every hook and plugin its routes go through
 *   (src/http/public-app.ts), and the route declared as the token endpoint is.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { EDGE_DEFAULTS } from '../src/config/edge-config.ts';
import { readParams, registerFormParser, FORM_BODY_LIMIT } from '../src/http/form.ts';
import { Metrics } from '../src/http/metrics.ts';
import { createPublicApp, registerRequestHandling } from '../src/http/public-app.ts';

export const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';

const token = (length: number) => randomBytes(length).toString('base64url').slice(0, length);
/** The sizes of an RS256 access and ID token and an HS512 refresh token of the demo realm. */
const RESPONSE = {
  access_token: token(1150),
  expires_in: 300,
  refresh_expires_in: 1800,
  refresh_token: token(620),
  token_type: 'Bearer',
  id_token: token(1180),
  'not-before-policy': 0,
  session_state: 'b5ff4a6e-0d2c-4f43-9b8e-9d7b6c1f0a11',
  scope: 'openid profile email',
};
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' };

function nodeServer(): http.Server {
  return http.createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== TOKEN_PATH) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= FORM_BODY_LIMIT) chunks.push(chunk);
    });
    request.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('latin1'));
      if (!form.get('grant_type')) {
        response.writeHead(400, HEADERS).end('{"error":"invalid_request"}');
        return;
      }
      response.writeHead(200, HEADERS).end(JSON.stringify(RESPONSE));
    });
  });
}

async function fastifyServer(mode: 'fastify' | 'holdfast'): Promise<http.Server> {
  const config = { logLevel: 'warn' as const, httpRelativePath: '', proxyHeaders: undefined, proxyTrustedAddresses: [], rateLimit: { ...EDGE_DEFAULTS.rateLimit }, accessLog: false };
  const app = mode === 'fastify' ? Fastify({ logger: false }) : createPublicApp(config);
  if (mode === 'fastify') registerFormParser(app);
  else await registerRequestHandling(app, config, new Metrics({ countSessions: async () => 0, liveRoutes: () => [], route: 'bench' }), async (_request, text) => text);
  app.post('/realms/:realm/protocol/openid-connect/token', { config: { endpoint: 'token' } }, async (request, reply) => {
    const form = readParams(request, 'body');
    if (!form.get('grant_type')) return reply.code(400).headers(HEADERS).send({ error: 'invalid_request' });
    reply.headers(HEADERS);
    return RESPONSE;
  });
  await app.ready();
  return app.server;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, port: { type: 'string' } } });
  const mode = values.mode;
  if (mode !== 'node' && mode !== 'fastify' && mode !== 'holdfast') throw new Error('--mode node|fastify|holdfast');
  const server = mode === 'node' ? nodeServer() : await fastifyServer(mode);
  server.listen(Number(values.port), '127.0.0.1', () => process.send?.('listening'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
