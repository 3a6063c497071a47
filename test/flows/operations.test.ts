/**
 * Running holdfast: bad flags exit 2 with one line, health and metrics answer (on the management
 * interface), logs carry no secrets, and pending session touches are written on shutdown
 * (DESIGN rule 3).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, startHoldfast, tempDir } from '../support/process.ts';
import { DEMO, form, testApp } from '../support/app.ts';
import { openSqlDatabase, SqlSessionStore } from '../../src/store/sql/index.ts';

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('operations', () => {
  it('rejects bad flags and variables with one line and exit code 2', () => {
    for (const [args, env, message] of [
      [['start', '--http-port', 'abc'], {}, /--http-port: expected an integer/],
      [['start', '--db', 'mysql'], {}, /--db: expected sqlite or postgres/],
      [['start', '--db', 'postgres'], {}, /--db postgres needs --db-url/],
      [['start', '--log-level', 'loud'], {}, /--log-level/],
      [['start', '--no-such-flag'], {}, /Unknown option '--no-such-flag'/],
      [['start'], { HOLDFAST_HTTP_PORT: '99999' }, /--http-port: must be between 0 and 65535/],
      [['start', '--sessions', 'redis'], {}, /--sessions redis needs --sessions-url/],
      [['launch'], {}, /unknown command 'launch'/],
    ] as Array<[string[], Record<string, string>, RegExp]>) {
      const result = runCli(args, env);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n')[0].startsWith('holdfast:'), true);
    }
  });

  it('serves health and metrics, and logs no secrets', async () => {
    const server = await startHoldfast({ dataDir: tempDir(), args: ['--log-level', 'debug'] });
    try {
      assert.equal((await fetch(`${server.managementUrl}/health/live`)).status, 200);
      assert.deepEqual(await (await fetch(`${server.managementUrl}/health/ready`)).json(), { status: 'UP', checks: [{ name: 'session store', status: 'UP' }] });
      const tokens = await (
        await fetch(`${server.url}${DEMO}/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid', client_id: 'demo-service', client_secret: 'demo-service-secret' }),
        })
      ).json();
      await fetch(`${server.url}${DEMO}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'demo-service', client_secret: 'demo-service-secret' }) });
      await fetch(`${server.url}${DEMO}/logout?id_token_hint=${tokens.id_token}`, { redirect: 'manual' });
      const metrics = await (await fetch(`${server.managementUrl}/metrics`)).text();
      assert.match(metrics, /holdfast_request_duration_seconds_count\{endpoint="token",outcome="success"\} 2/);
      assert.match(metrics, /holdfast_active_sessions \d+/);
      assert.match(metrics, /holdfast_cache_(hits|misses)_total\{kind="userSession"\} \d+/);
      assert.match(metrics, /holdfast_store_writes_total\{operation="createUserSession"\} 1/);
      // The structured log lines (the banner prints the demo's public credentials on purpose).
      const output = server.output().split('\n').filter((line) => line.startsWith('{')).join('\n');
      assert.match(output, /"level":(20|30)/);
      // A password field never; the value "password" is the grant_type of the LOGIN event's line.
      for (const secret of ['demo-service-secret', tokens.refresh_token, tokens.id_token, tokens.access_token, '"password":']) assert.equal(output.includes(secret), false, `log leaks ${secret.slice(0, 20)}`);
    } finally {
      assert.equal(await server.stop('SIGTERM'), 0);
    }
  });

  it('writes pending session touches when it shuts down', async () => {
    const dataDir = tempDir();
    const t = await testApp({ dataDir });
    const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
    const issued = (await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', username: 'alice', password: 'alice', ...SERVICE }) })).json();
    t.clock.advanceSeconds(61);
    const refreshed = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, ...SERVICE }) });
    assert.equal(refreshed.statusCode, 200);
    assert.equal(t.ctx.sessions.writer.pendingCount, 1);
    await t.close();

    const database = await openSqlDatabase({ dialect: 'sqlite', dataDir });
    const stored = await new SqlSessionStore(database.db).getUserSession(issued.session_state, false);
    await database.close();
    assert.equal(stored!.lastRefresh, Math.floor(t.clock.nowMs() / 1000));
  });
});
