/**
 * `--workers 2` on the embedded store: one node, two worker processes on one port, one SQLite
 * file. A logout answered by one worker is refused by the other at once (cache invalidation over
 * IPC, acknowledged before the logout's response); a kill -9 of one worker in the middle of
 * logins, rotations and logouts loses nothing acknowledged, the other keeps serving and the dead
 * one is started again; the singleton jobs (expiry sweeps) run in one worker only; and a foreign
 * process is still refused the data directory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Ledger, enableRotation, mixedStep, seededRandom } from '../support/acknowledged.ts';
import { DEMO_SERVICE, passwordGrant } from '../support/oidc-requests.ts';
import { startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { sleep, until } from '../support/redis-server.ts';

/** The node's worker processes: children of its primary. */
function workerPids(primary: number): number[] {
  return fs.readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * A refresh on a connection of its own: the primary hands each new connection to the next
 * worker, so consecutive calls reach both workers (a pooled connection would stay with one).
 */
function refreshOnNewConnection(base: string, refreshToken: string): Promise<{ status: number; body: any }> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...DEMO_SERVICE }).toString();
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}/realms/demo/protocol/openid-connect/token`, { method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' }, timeout: 15_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

describe('--workers 2 on SQLite', () => {
  const dataDir = tempDir();
  let server: RunningHoldfast;

  before(async () => {
    server = await startHoldfast({ dataDir, args: ['--workers', '2', '--expiry-interval', '1', '--log-level', 'debug'] });
    // Ready means worker 0 listens; the node serves on both once the primary says so.
    await until('both workers listening', async () => server.output().includes('node serving with 2 workers'), 90_000);
  });
  after(async () => {
    await server?.stop('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a logout answered by one worker is refused by the other at once', async () => {
    const login = await passwordGrant(server.url);
    assert.equal(login.status, 200);
    // Both workers serve the session, and so hold it in their caches.
    for (let i = 0; i < 4; i++) assert.equal((await refreshOnNewConnection(server.url, login.body.refresh_token)).status, 200);
    const logout = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${server.url}/realms/demo/protocol/openid-connect/logout`, { method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      });
      request.on('error', reject);
      request.end(new URLSearchParams({ refresh_token: login.body.refresh_token, ...DEMO_SERVICE }).toString());
    });
    assert.equal(logout, 204);
    for (let i = 0; i < 4; i++) {
      const answer = await refreshOnNewConnection(server.url, login.body.refresh_token);
      assert.equal(answer.status, 400, `refresh ${i} after the logout: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error_description, 'Session not active');
    }
  });

  it('the expiry sweep runs in one worker only', async () => {
    const ran = (): Set<number> => {
      const pids = new Set<number>();
      for (const line of server.output().split('\n')) {
        if (!line.includes('singleton job ran')) continue;
        const entry = JSON.parse(line) as { pid: number; job: string };
        if (entry.job === 'expiry-sweeper') pids.add(entry.pid);
      }
      return pids;
    };
    const count = () => server.output().split('\n').filter((l) => l.includes('"job":"expiry-sweeper"') && l.includes('singleton job ran')).length;
    await until('sweeps ran', async () => count() >= 3, 30_000);
    assert.equal(ran().size, 1, 'sweeps ran in more than one worker');
    assert.ok(workerPids(server.process.pid!).includes([...ran()][0]));
  });

  it('a foreign process is refused the data directory the workers share', async () => {
    await assert.rejects(startHoldfast({ dataDir }), /exited with 2[\s\S]*in use by another holdfast process \(pid \d+\)/);
  });

  it('kill -9 of one worker loses nothing acknowledged; the other keeps serving and the dead one comes back', async () => {
    await enableRotation(server.url);
    const random = seededRandom(1818);
    const ledger = new Ledger();
    for (let i = 0; i < 12; i += 1) await ledger.passwordLogin(server.url);
    assert.equal(ledger.sessions.length, 12, ledger.unexpected.join('\n'));
    let stop = false;
    const loop = async (): Promise<void> => {
      for (let step = 0; !stop && step < 300; step += 1) await mixedStep(ledger, server.url, random);
    };
    const loops = Array.from({ length: 4 }, loop);
    try {
      await until('steps before the kill', async () => ledger.acknowledged >= 30, 60_000);
      const [victim, survivor] = workerPids(server.process.pid!);
      process.kill(victim, 'SIGKILL');
      const atKill = ledger.acknowledged;
      // The node answers on: the other worker at once, the restarted one when it is up (it only
      // checks the schema, so it never takes the write lock from the survivor while it starts).
      await until('steps after the kill', async () => ledger.acknowledged >= atKill + 30, 120_000).catch((error) => {
        throw new Error(`${error.message}; acknowledged ${ledger.acknowledged - atKill} after the kill; unexpected: ${ledger.unexpected.slice(0, 5).join(' | ')}; node said: ${server.output().split('\n').slice(-25).join('\n')}`);
      });
      await until('the worker restarted', async () => {
        const pids = workerPids(server.process.pid!);
        return pids.length === 2 && pids.includes(survivor) && !pids.includes(victim);
      }, 60_000);
      await sleep(200);
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    assert.deepEqual(ledger.unexpected, []);
    // Only worker 0's first start prepared the database: one node row, however many workers started.
    const db = new SQLite(path.join(dataDir, 'holdfast.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM schema_node').get() as { n: number }).n, 1);
    } finally {
      db.close();
    }
    assert.ok(ledger.sessions.some((s) => s.state === 'loggedOut'), 'some logouts were acknowledged');
    assert.ok(ledger.sessions.some((s) => s.consumed.length > 0), 'some rotations were acknowledged');
    assert.deepEqual(await ledger.verify(server.url, { rotation: true }), []);
  });
});
