/**
 * The management interface: `/health`, `/health/live`, `/health/ready`, `/health/started` and
 * `/metrics` answer on `--http-management-port` only, never on the public port;
 * `--health-enabled=false` / `--metrics-enabled=false` remove them, and with both off the port is
 * not opened at all. During `--shutdown-delay` readiness is DOWN while requests are still served.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/app.ts';
import { parseConfig, testConfig } from '../../src/config/index.ts';
import { listen } from '../../src/http/listeners.ts';
import { testApp } from '../support/app.ts';
import { startHoldfast, tempDir } from '../support/process.ts';

const PATHS = ['/health', '/health/live', '/health/ready', '/health/started', '/metrics'];

describe('management interface', () => {
  it('serves health and metrics on its own port and not on the public one (real process)', async () => {
    const server = await startHoldfast({ dataDir: tempDir() });
    try {
      assert.notEqual(server.managementPort, server.port);
      for (const path of PATHS) {
        const publicAnswer = await fetch(`${server.url}${path}`);
        assert.equal(publicAnswer.status, 404, path);
        assert.deepEqual(await publicAnswer.json(), { error: 'Not Found' });
        assert.equal((await fetch(`${server.managementUrl}${path}`)).status, 200, path);
      }
      assert.deepEqual(await (await fetch(`${server.managementUrl}/health/ready`)).json(), { status: 'UP', checks: [{ name: 'session store', status: 'UP' }] });
      const metrics = await fetch(`${server.managementUrl}/metrics`);
      assert.match(metrics.headers.get('content-type')!, /^text\/plain/);
      const text = await metrics.text();
      // The five refused public requests are counted; the management interface's own are not.
      assert.match(text, /holdfast_request_duration_seconds_count\{endpoint="unknown",outcome="client_error"\} 5\n/);
      assert.doesNotMatch(text, /endpoint="\/(health|metrics)/);
      // The realm routes are not on the management port.
      assert.equal((await fetch(`${server.managementUrl}/realms/demo/.well-known/openid-configuration`)).status, 404);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('reports not ready during --shutdown-delay while the public port still serves, then exits 0', async () => {
    const server = await startHoldfast({ dataDir: tempDir(), args: ['--shutdown-delay', '3'] });
    const exited = server.stop('SIGTERM');
    const deadline = Date.now() + 10_000;
    let readiness: Response | undefined;
    while (Date.now() < deadline) {
      readiness = await fetch(`${server.managementUrl}/health/ready`);
      if (readiness.status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(readiness?.status, 503);
    assert.deepEqual(await readiness!.json(), { status: 'DOWN', checks: [{ name: 'shutdown', status: 'DOWN' }] });
    assert.equal((await fetch(`${server.url}/realms/demo/.well-known/openid-configuration`)).status, 200);
    assert.equal((await fetch(`${server.managementUrl}/health/live`)).status, 200);
    assert.equal(await exited, 0);
  });

  it('drops what is disabled, and opens no port when nothing is enabled', async () => {
    const noHealth = await testApp({ healthEnabled: false });
    try {
      for (const path of PATHS.filter((p) => p.startsWith('/health'))) assert.equal((await noHealth.management.inject({ method: 'GET', url: path })).statusCode, 404, path);
      assert.equal((await noHealth.management.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
    } finally {
      await noHealth.close();
    }
    const noMetrics = await testApp({ metricsEnabled: false });
    try {
      assert.equal((await noMetrics.management.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
      assert.equal((await noMetrics.management.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200);
    } finally {
      await noMetrics.close();
    }
    const config = testConfig({ healthEnabled: false, metricsEnabled: false });
    const nothing = await buildApp({ config });
    try {
      const ports = await listen(nothing, config);
      assert.equal(ports.management, undefined);
      assert.equal(nothing.management.server.listening, false);
    } finally {
      await nothing.close();
    }
  });

  it('defaults to Keycloak port 9000 with health and metrics on', () => {
    const config = parseConfig([], {});
    assert.deepEqual([config.httpManagementPort, config.healthEnabled, config.metricsEnabled], [9000, true, true]);
    const set = parseConfig(['--http-management-port', '9100', '--health-enabled=false'], {});
    assert.deepEqual([set.httpManagementPort, set.healthEnabled, set.metricsEnabled], [9100, false, true]);
    assert.throws(() => parseConfig(['--http-management-port', '70000'], {}), /--http-management-port: must be between 0 and 65535, got 70000/);
  });
});
