/**
 * Security issue #11, item 6: one holdfast process per SQLite data directory, with real
 * processes. A second `start` on a held directory exits 2 with one line naming the holder's pid;
 * `holdfast import` and `export` against it exit 2 and say what to do instead, writing nothing;
 * after a kill -9 of the holder a new start succeeds at once (the lock dies with the process) and
 * keeps every session; with the server stopped the import works and the next start serves it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openSqlDatabase, DataDirInUse } from '../../src/store/sql/index.ts';
import { freePort, ROOT, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { passwordGrant, refresh } from '../support/oidc-requests.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the holdfast command to its end (bounded). */
function holdfast(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const IMPORTED_REALM = {
  realm: 'imported',
  enabled: true,
  clients: [{ clientId: 'imported-app', enabled: true, publicClient: true, directAccessGrantsEnabled: true, standardFlowEnabled: false }],
  users: [{ username: 'carol', enabled: true, credentials: [{ type: 'password', value: 'carol-password' }] }],
};

async function carolLogin(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/realms/imported/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'imported-app', username: 'carol', password: 'carol-password', scope: 'openid' }),
  });
  return { status: response.status, body: await response.json() };
}
const NO_SUCH_REALM = { status: 404, body: { error: 'Realm does not exist', error_description: 'Realm does not exist' } };

describe('one process per data directory', () => {
  const dataDir = tempDir();
  const realmFile = path.join(tempDir('holdfast-realm-file-'), 'imported-realm.json');
  let server: RunningHoldfast;

  before(async () => {
    fs.writeFileSync(realmFile, JSON.stringify(IMPORTED_REALM));
    server = await startHoldfast({ dataDir });
  });
  after(async () => {
    await server.stop('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(path.dirname(realmFile), { recursive: true, force: true });
  });

  it('refuses a second start on the directory with one line and exit code 2', async () => {
    const second = await holdfast('start-dev', '--demo', '--http-host', '127.0.0.1', '--http-port', String(await freePort()), '--data-dir', dataDir, '--log-level', 'warn');
    assert.equal(second.code, 2);
    assert.equal(second.stderr, `holdfast: data directory ${dataDir} is in use by another holdfast process (pid ${server.process.pid})\n`);
    assert.equal((await passwordGrant(server.url)).status, 200, 'the first one is unaffected');
  });

  it('refuses import and export while the server runs, and writes nothing', async () => {
    const imported = await holdfast('import', '--file', realmFile, '--data-dir', dataDir);
    assert.equal(imported.code, 2);
    assert.equal(
      imported.stderr,
      `holdfast import: data directory ${dataDir} is in use by another holdfast process (pid ${server.process.pid}): stop it first, or import through its admin API (POST /admin/realms)\n`,
    );
    const exportFile = path.join(path.dirname(realmFile), 'out.json');
    const exported = await holdfast('export', '--file', exportFile, '--data-dir', dataDir);
    assert.equal(exported.code, 2);
    assert.match(exported.stderr, /^holdfast export: data directory .* is in use by another holdfast process \(pid \d+\): stop it first, or read the realm through its admin API/);
    assert.equal(fs.existsSync(exportFile), false);
    assert.deepEqual(await carolLogin(server.url), NO_SUCH_REALM, 'no realm appeared');
  });

  it('after kill -9, a new start succeeds at once and keeps the sessions', async () => {
    const before = await passwordGrant(server.url);
    assert.equal(before.status, 200);
    assert.equal(await server.stop('SIGKILL'), null);
    // No wait and no clean-up: the lock went with the process, only a stale pid file is left.
    assert.equal(fs.readFileSync(path.join(dataDir, 'holdfast.pid'), 'utf8').trim(), String(server.process.pid));
    server = await startHoldfast({ dataDir, port: server.port });
    assert.equal((await refresh(server.url, before.body.refresh_token)).status, 200);
    assert.equal(fs.readFileSync(path.join(dataDir, 'holdfast.pid'), 'utf8').trim(), String(server.process.pid));
    // The refused import really wrote nothing.
    assert.deepEqual(await carolLogin(server.url), NO_SUCH_REALM);
  });

  it('imports while the server is stopped; the next start serves the imported realm', async () => {
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.equal(fs.existsSync(path.join(dataDir, 'holdfast.pid')), false, 'a clean stop removes the pid file');
    const imported = await holdfast('import', '--file', realmFile, '--data-dir', dataDir);
    assert.equal(imported.code, 0, imported.stderr);
    server = await startHoldfast({ dataDir });
    const carol = await carolLogin(server.url);
    assert.equal(carol.status, 200, JSON.stringify(carol.body));
  });
});

describe('one open database per data directory, within a process too', () => {
  it('refuses a second open until the first closes', async () => {
    const dataDir = tempDir();
    try {
      const first = await openSqlDatabase({ dialect: 'sqlite', dataDir });
      await assert.rejects(openSqlDatabase({ dialect: 'sqlite', dataDir }), (error: unknown) => error instanceof DataDirInUse && error.pid === process.pid);
      await first.close();
      const again = await openSqlDatabase({ dialect: 'sqlite', dataDir });
      await again.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
