/**
 * What an operator sees of a running holdfast: `/metrics` on the management port (request
 * durations by route name and outcome, a failed login counted as a failure with its reason,
 * refresh and logout outcomes, cache hit ratio, store latency, sweeper progress, cluster routes),
 * the info-level log lines for authentication failures and admin changes (without secrets), the
 * access log of `--access-log`, and the Grafana dashboard, which may only use metrics that exist.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { DEMO, DEMO_APP_AUTH_QUERY } from '../support/app.ts';
import { CookieJar, formAction, get, postForm } from '../support/browser.ts';

const WRONG_PASSWORD = 'not-alices-password-7f3a';

/** The value of one sample line `name{labels} value`, or undefined when it is absent. */
function sample(metrics: string, name: string, labels: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function logLines(server: RunningHoldfast): Array<Record<string, any>> {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

async function token(server: RunningHoldfast, realm: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/realms/${realm}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams(fields) });
}

describe('observability', () => {
  let server: RunningHoldfast;
  let metrics: string;

  before(async () => {
    server = await startHoldfast({ dataDir: tempDir(), args: ['--log-level', 'info', '--access-log', '--expiry-interval', '1'] });
    // A browser login with a wrong password: the form comes back (200) with the error.
    const jar = new CookieJar();
    const page = await get(`${server.url}${DEMO}/auth?${DEMO_APP_AUTH_QUERY}`, jar);
    assert.equal(page.status, 200);
    const failed = await postForm(formAction(await page.text()), { username: 'alice', password: WRONG_PASSWORD, credentialId: '' }, jar);
    assert.equal(failed.status, 200);
    assert.match(await failed.text(), /Invalid username or password/);
    // A password grant, its refresh, a refresh with a token that is not one, and a logout.
    const service = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
    const tokens = await (await token(server, 'demo', { grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid', ...service })).json();
    assert.equal((await token(server, 'demo', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...service })).status, 200);
    assert.equal((await token(server, 'demo', { grant_type: 'refresh_token', refresh_token: 'not-a-token', ...service })).status, 400);
    const logout = await fetch(`${server.url}${DEMO}/logout`, { method: 'POST', body: new URLSearchParams({ refresh_token: tokens.refresh_token, ...service }) });
    assert.equal(logout.status, 204);
    // An admin change: a user created through the admin API.
    const admin = await (await token(server, 'master', { grant_type: 'password', username: 'admin', password: 'admin', client_id: 'admin-cli' })).json();
    const created = await fetch(`${server.url}/admin/realms/demo/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'observed', enabled: true, credentials: [{ type: 'password', value: 'observed-secret-91', temporary: false }] }),
    });
    assert.equal(created.status, 201, await created.text());
    // The sweeper runs every second here; wait (bounded) for its first pass to be counted.
    for (let i = 0; i < 100; i++) {
      metrics = await (await fetch(`${server.managementUrl}/metrics`)).text();
      if (/^holdfast_sweeper_runs_total\{result="complete"\} [1-9]/m.test(metrics)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('counts a failed login as auth_failure with its reason, not as success', () => {
    assert.equal(sample(metrics, 'holdfast_request_duration_seconds_count', 'endpoint="login",outcome="auth_failure"'), 1);
    assert.equal(sample(metrics, 'holdfast_request_duration_seconds_count', 'endpoint="login",outcome="success"'), undefined);
    assert.equal(sample(metrics, 'holdfast_user_events_total', 'event="LOGIN_ERROR",error="invalid_user_credentials"'), 1);
  });

  it('counts logins, refreshes and logouts by outcome and error reason', () => {
    assert.equal(sample(metrics, 'holdfast_user_events_total', 'event="LOGIN",error=""'), 2);
    assert.equal(sample(metrics, 'holdfast_user_events_total', 'event="REFRESH_TOKEN",error=""'), 1);
    assert.equal(sample(metrics, 'holdfast_user_events_total', 'event="REFRESH_TOKEN_ERROR",error="invalid_token"'), 1);
    assert.equal(sample(metrics, 'holdfast_user_events_total', 'event="LOGOUT",error=""'), 1);
    assert.equal(sample(metrics, 'holdfast_request_duration_seconds_count', 'endpoint="token",outcome="success"'), 3);
    assert.equal(sample(metrics, 'holdfast_request_duration_seconds_count', 'endpoint="token",outcome="client_error"'), 1);
  });

  it('names every route, never a raw URL: admin routes by their path template', () => {
    assert.equal(sample(metrics, 'holdfast_request_duration_seconds_count', 'endpoint="/admin/realms/{realm}/users",outcome="success"'), 1);
    assert.doesNotMatch(metrics, /endpoint="[^"]*(demo|master|observed)[^"]*"/);
    assert.match(metrics, /^holdfast_request_duration_seconds_bucket\{le="0.005",endpoint="token",outcome="success"\} \d+$/m);
  });

  it('reports store latency, cache hit ratio, sweeper progress and the cluster routes', () => {
    assert.equal(sample(metrics, 'holdfast_store_operation_duration_seconds_count', 'operation="createUserSession",kind="write"'), 2, 'alice and admin signed in');
    assert.ok((sample(metrics, 'holdfast_store_operation_duration_seconds_count', 'operation="getUserSession",kind="read"') ?? 0) >= 1);
    const ratio = sample(metrics, 'holdfast_cache_hit_ratio', 'kind="userSession"');
    assert.ok(ratio !== undefined && ratio >= 0 && ratio <= 1, `ratio ${ratio}`);
    assert.ok((sample(metrics, 'holdfast_sweeper_runs_total', 'result="complete"') ?? 0) >= 1, 'a sweeper pass is counted');
    assert.ok((sample(metrics, 'holdfast_sweeper_last_run_timestamp_seconds', '') ?? 0) > 1_700_000_000);
    assert.equal(sample(metrics, 'holdfast_cluster_live_nodes', ''), 1);
    assert.match(metrics, /^holdfast_cluster_routes\{route="[^"]+",self="true"\} 1$/m);
  });

  it('logs a failed password once at info, without the password, and admin changes without secrets', () => {
    const lines = logLines(server);
    const failures = lines.filter((line) => line.msg === 'user event LOGIN_ERROR');
    assert.equal(failures.length, 1);
    assert.equal(failures[0].level, 30);
    assert.equal(failures[0].event.error, 'invalid_user_credentials');
    assert.equal(failures[0].event.details.username, 'alice');
    const created = lines.filter((line) => line.msg === 'admin event CREATE USER');
    assert.equal(created.length, 1);
    assert.equal(created[0].level, 30);
    const output = server.output();
    // (The demo banner prints the demo client's secret on purpose, so that one is not looked for.)
    for (const secret of [WRONG_PASSWORD, 'observed-secret-91']) assert.equal(output.includes(secret), false, `log leaks ${secret}`);
  });

  it('writes one access-log line per public request, with the route and without the query', () => {
    const access = logLines(server).filter((line) => line.msg === 'request');
    const failedLogin = access.find((line) => line.access.endpoint === 'login' && line.access.method === 'POST');
    assert.ok(failedLogin, 'the failed login is in the access log');
    assert.equal(failedLogin.access.status, 200);
    assert.equal(failedLogin.access.outcome, 'auth_failure');
    assert.equal(failedLogin.access.path.includes('?'), false);
    assert.equal(access.filter((line) => line.access.endpoint === 'token').length, 4);
    assert.equal(access.some((line) => /health|metrics/.test(line.access.path)), false);
  });

  it('has a Grafana dashboard that uses only metrics holdfast exports', () => {
    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'deploy/grafana-dashboard.json'), 'utf8'));
    const expressions: string[] = dashboard.panels.flatMap((panel: { targets?: Array<{ expr: string }> }) => (panel.targets ?? []).map((target) => target.expr));
    assert.ok(expressions.length >= 8, 'the dashboard has panels with queries');
    const exported = new Set(metrics.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    for (const expression of expressions) {
      for (const [name] of expression.matchAll(/holdfast_[a-z_]+/g)) {
        const base = name.replace(/_(bucket|count|sum)$/, '');
        assert.ok(exported.has(name) || exported.has(base), `${name} in the dashboard is exported`);
      }
    }
  });
});
