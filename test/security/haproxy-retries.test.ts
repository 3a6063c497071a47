/**
 * The shipped deploy/haproxy.cfg in front of three stand-in nodes (plain Node servers that count
 * what reaches them): a POST that reached a node which then closed the connection unanswered is
 * never replayed (a replayed code redemption or refresh rotation would look like reuse), while
 * a GET is retried on another node; a POST to a node that refuses connections is retried (it
 * never left HAProxy), so rolling restarts stay invisible. HAProxy replaces whatever a client
 * sent in the forwarded headers. Skipped when HAProxy is missing, except under CI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { haproxyBinary, haproxyConfig } from '../support/cluster.ts';
import { freePort, tempDir } from '../support/process.ts';

const skip = process.env.CI ? false : haproxyBinary() ? false : 'haproxy is not installed';

interface StandIn {
  port: number;
  managementPort: number;
  server: http.Server;
  management: http.Server;
}

async function listening(server: http.Server, port: number): Promise<void> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
}

describe('HAProxy retries (deploy/haproxy.cfg)', { skip }, () => {
  const hits: string[] = [];
  const nodes: StandIn[] = [];
  let haproxy: ChildProcess;
  let url: string;
  let directory: string;

  before(async () => {
    directory = tempDir('holdfast-haproxy-');
    for (let i = 0; i < 3; i += 1) {
      const server = http.createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          hits.push(`${request.method} ${request.url}`);
          if (request.url === '/drop') return request.socket.destroy();
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ node: i, headers: request.headers, body }));
        });
      });
      const management = http.createServer((_request, response) => response.end('{"status":"UP"}'));
      const node = { port: await freePort(), managementPort: await freePort(), server, management };
      await listening(server, node.port);
      await listening(management, node.managementPort);
      nodes.push(node);
    }
    const frontend = await freePort();
    const stats = await freePort();
    const configFile = path.join(directory, 'haproxy.cfg');
    fs.writeFileSync(configFile, haproxyConfig({ frontend, stats, nodes }));
    haproxy = spawn(haproxyBinary()!, ['-db', '-f', configFile], { stdio: 'ignore' });
    url = `http://127.0.0.1:${frontend}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${stats}/;csv`)
        .then(async (response) => (await response.text()).split('\n').filter((line) => line.startsWith('holdfast_nodes,node') && line.includes(',UP,')).length)
        .catch(() => 0);
      if (up === 3) break;
      if (Date.now() > deadline || haproxy.exitCode !== null) throw new Error('HAProxy did not see the stand-in nodes up');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    if (haproxy && haproxy.exitCode === null) {
      const exited = once(haproxy, 'exit');
      haproxy.kill('SIGTERM');
      await exited;
    }
    for (const node of nodes) {
      node.server.closeAllConnections();
      node.server.close();
      node.management.close();
    }
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const count = (line: string) => hits.filter((hit) => hit === line).length;

  it('never sends a POST again once a node received it, but retries a GET on another node', async () => {
    const post = await fetch(`${url}/drop`, { method: 'POST', body: 'grant_type=refresh_token' });
    assert.equal(post.status, 502);
    await post.arrayBuffer();
    assert.equal(count('POST /drop'), 1);

    const get = await fetch(`${url}/drop`);
    await get.arrayBuffer();
    assert.ok(get.status >= 500);
    // The first attempt and `retries 3` more, each on another node when there is one.
    assert.equal(count('GET /drop'), 4);
  });

  it('retries a POST that could not connect (a stopped node), so it is answered once by a live one', async () => {
    const stopped = nodes[0];
    stopped.server.closeAllConnections();
    await new Promise((resolve) => stopped.server.close(resolve));
    try {
      for (let i = 0; i < 6; i += 1) {
        const response = await fetch(`${url}/token-${i}`, { method: 'POST', body: 'x', headers: { connection: 'close' } });
        assert.equal(response.status, 200);
        assert.notEqual((await response.json()).node, 0);
        assert.equal(count(`POST /token-${i}`), 1);
      }
    } finally {
      await listening(stopped.server, stopped.port);
    }
  });

  it('replaces the forwarded headers a client sent with its own', async () => {
    const response = await fetch(`${url}/echo`, { headers: { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', 'x-forwarded-port': '1', forwarded: 'for=6.6.6.6' } });
    const { headers } = await response.json();
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], new URL(url).host);
    assert.equal(headers['x-forwarded-port'], undefined);
    assert.equal(headers.forwarded, undefined);
  });
});
