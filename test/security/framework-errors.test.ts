/**
 * Every body a client gets is holdfast's: no Fastify error code (`FST_ERR_*`), no Node error code,
 * no echo of the request path, whatever is wrong with the request — a URL that does not
 * percent-decode, an over-long path parameter, an unknown route or method, a wrong or oversized
 * body, a header value Node cannot write. Requests Node's own parser refuses (over-long URL or
 * headers, unknown method, broken syntax) get a bare status line, as Node itself answers them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, form, testApp, type TestApp } from '../support/app.ts';

const INVALID_REQUEST = { error: 'invalid_request', error_description: 'Invalid request' };

/** Nothing of Fastify's or Node's own wording, and not the path that was asked for. */
function assertOurs(response: LightMyRequestResponse, path: string, label = path): void {
  assert.doesNotMatch(response.body, /FST_|ERR_|"statusCode"|"code"|is not a valid url|Route \w+:/, label);
  const decodedPath = path.split('?')[0];
  if (decodedPath.length > 8) assert.equal(response.body.includes(decodedPath), false, `${label}: the body echoes the path`);
}

/** Sends `request` as raw bytes and returns everything the server wrote before closing (bounded). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(request);
  });
}

describe('framework errors never leak', () => {
  let t: TestApp;
  let port: number;

  before(async () => {
    t = await testApp();
    // A route that writes a header Node refuses: the last-resort guard must still answer cleanly.
    t.app.get('/test/unwritable-header', (_request, reply) => reply.header('x-note', 'caf\u00e9 \u2028 \u65e5').send({ ok: true }));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => t.close());

  it('answers URLs that do not percent-decode with invalid_request', async () => {
    for (const url of ['/realms/%zz', '/realms/%E0%A4%A/protocol/openid-connect/certs', `${DEMO}/token%zz`, '/admin/realms/%/users', '/realms/demo/%c0%af%zz']) {
      const response = await t.app.inject({ method: url.includes('token') ? 'POST' : 'GET', url });
      assert.deepEqual({ status: response.statusCode, ...(response.json() as object) }, { status: 400, ...INVALID_REQUEST }, url);
      assertOurs(response, url);
    }
  });

  it('treats bad encoding in the query as data, with each endpoint its own answer', async () => {
    const token = await t.app.inject({ method: 'POST', url: `${DEMO}/token?x=%zz`, ...form({ grant_type: 'magic', client_id: 'demo-service', client_secret: 'demo-service-secret' }) });
    assert.deepEqual(token.json(), { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
    const auth = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?client_id=%zz` });
    assert.equal(auth.statusCode, 400);
    assert.ok(auth.body.includes('<p id="kc-error-message" class="instruction">Client not found.</p>'));
    const userinfo = await t.app.inject({ method: 'GET', url: `${DEMO}/userinfo?access_token=%zz` });
    assert.equal(userinfo.statusCode, 401);
    for (const response of [token, auth, userinfo]) assertOurs(response, '/protocol/openid-connect/');
  });

  it('reaches realms with long names, and answers over-long path parameters with 414', async () => {
    const longName = 'r'.repeat(200);
    const long = await t.app.inject({ method: 'GET', url: `/realms/${longName}/.well-known/openid-configuration` });
    assert.deepEqual({ status: long.statusCode, ...(long.json() as object) }, { status: 404, error: 'Realm does not exist', error_description: 'Realm does not exist' });
    const url = `/realms/${'r'.repeat(3000)}/protocol/openid-connect/certs`;
    const tooLong = await t.app.inject({ method: 'GET', url });
    assert.deepEqual({ status: tooLong.statusCode, ...(tooLong.json() as object) }, { status: 414, error: 'invalid_request', error_description: 'Request URI too long' });
    assertOurs(tooLong, url);
  });

  it('answers unknown routes and methods with 404 {"error":"Not Found"}', async () => {
    const cases: Array<[string, string]> = [
      ['GET', '/realms/demo/protocol/openid-connect/nothing-here'],
      ['GET', '/%2e%2e/%2e%2e/etc/passwd'],
      ['DELETE', `${DEMO}/token`],
      ['PUT', `${DEMO}/auth`],
      ['PATCH', `${DEMO}/userinfo`],
      ['PROPFIND', `${DEMO}/token`],
      ['SEARCH', '/admin/realms'],
    ];
    for (const [method, url] of cases) {
      const response = await t.app.inject({ method: method as 'GET', url });
      assert.deepEqual({ status: response.statusCode, ...(response.json() as object) }, { status: 404, error: 'Not Found' }, `${method} ${url}`);
      assertOurs(response, url, `${method} ${url}`);
    }
  });

  it('answers wrong, broken and oversized bodies with invalid_request', async () => {
    const post = (url: string, payload: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url, payload, headers });
    const cases: Array<[string, LightMyRequestResponse, number, string]> = [
      ['xml', await post(`${DEMO}/token`, '<a/>', { 'content-type': 'application/xml' }), 415, 'Unsupported media type'],
      ['no content type', await post(`${DEMO}/token`, 'grant_type=password', { 'content-type': '' }), 415, 'Unsupported media type'],
      ['form over 64 KiB', await post(`${DEMO}/token`, `grant_type=password&username=${'x'.repeat(70_000)}`, form({}).headers), 413, 'Request entity too large'],
      ['JSON over 1 MiB', await post(`${DEMO}/token`, `{"a":"${'x'.repeat(1_100_000)}"}`, { 'content-type': 'application/json' }), 413, 'Request entity too large'],
      ['empty JSON', await post(`${DEMO}/token`, '', { 'content-type': 'application/json' }), 400, 'Invalid request'],
      ['content-length larger than the body', await post(`${DEMO}/token`, 'grant_type=password', { ...form({}).headers, 'content-length': '5000' }), 400, 'Invalid request'],
    ];
    for (const [label, response, status, description] of cases) {
      assert.deepEqual({ status: response.statusCode, ...(response.json() as object) }, { status, error: 'invalid_request', error_description: description }, label);
      assertOurs(response, `${DEMO}/token`, label);
    }
  });

  it('turns a header Node cannot write into a clean 500, without the header', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/unwritable-header' });
    assert.deepEqual({ status: response.statusCode, ...(response.json() as object) }, { status: 500, error: 'unknown_error' });
    assert.equal(response.headers['x-note'], undefined);
    assertOurs(response, '/test/unwritable-header');
  });

  it('writes a realm name Node could not put in a header as an encoded quoted-string', async () => {
    const master = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
    const name = '\u65e5\u672c\u2028"q';
    const created = await t.app.inject({ method: 'POST', url: '/admin/realms', headers: { authorization: `Bearer ${master.json().access_token}` }, payload: { realm: name, enabled: true } });
    assert.equal(created.statusCode, 201, created.body);
    const response = await t.app.inject({ method: 'GET', url: `/realms/${encodeURIComponent(name)}/protocol/openid-connect/userinfo`, headers: { authorization: 'Bearer garbage' } });
    assert.deepEqual({ status: response.statusCode, ...(response.json() as object) }, { status: 401, error: 'invalid_token', error_description: 'Token verification failed' });
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="%E6%97%A5%E6%9C%AC%E2%80%A8\\"q", error="invalid_token", error_description="Token verification failed"');
  });

  it("answers what Node's parser refuses with a bare status line, as Node does", async () => {
    const cases: Array<[string, string, string]> = [
      ['over-long URL', `GET /realms/demo?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, '431 Request Header Fields Too Large'],
      ['over-long header', `GET /realms/demo HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, '431 Request Header Fields Too Large'],
      ['unknown method', 'FOO /realms/demo HTTP/1.1\r\nHost: localhost\r\n\r\n', '400 Bad Request'],
      ['header without a colon', 'GET /realms/demo HTTP/1.1\r\nHost localhost\r\n\r\n', '400 Bad Request'],
      ['control character in a header', 'GET /realms/demo HTTP/1.1\r\nHost: local\u0001host\r\n\r\n', '400 Bad Request'],
      ['not HTTP', 'hello\r\n\r\n', '400 Bad Request'],
    ];
    for (const [label, request, status] of cases) {
      assert.equal(await rawExchange(port, request), `HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`, label);
    }
  });

  it('answers a bad URL over a real connection with our JSON too', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/realms/%zz/protocol/openid-connect/certs`);
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), INVALID_REQUEST);
  });
});
