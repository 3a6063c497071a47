/**
 * PostgreSQL killed with SIGKILL (the postmaster and every backend, as in a crash) and started
 * again under load, on a server of the test's own: two real holdfast nodes share it. While it is
 * down every request that needs it answers 503 `temporarily_unavailable` at once, never a 500,
 * readiness is false, and both processes stay up; once it is back both serve again without a
 * restart, and every acknowledged login, rotation, logout and code redemption holds, seen from the
 * other node.
 */
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { enableRotation } from '../support/acknowledged.ts';
import { outageUnderLoad } from '../support/outage.ts';
import { PrivatePostgres, postgresBinaries } from '../support/private-postgres.ts';
import { buildBundle, freePort, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from '../support/process.ts';

describe('PostgreSQL restarted under load', { skip: postgresBinaries() ? false : 'no PostgreSQL server binaries' }, () => {
  const dataDir = tempDir();
  let server: PrivatePostgres;
  let bundle: string | undefined;
  const nodes: RunningHoldfast[] = [];

  before(async () => {
    [server, bundle] = await Promise.all([PrivatePostgres.create(), buildBundle()]);
    const url = await server.createDatabase('holdfast_faults');
    const ports = [await freePort(), await freePort()];
    // One public URL for both, so both issue (and accept) the same issuer.
    const hostname = `http://127.0.0.1:${ports[0]}`;
    // Nodes of one cluster share the key-encryption key.
    const kek = writeKekFile(dataDir);
    for (const [index, port] of ports.entries()) {
      nodes.push(await startHoldfast({ dataDir, port, bundle, args: ['--db', 'postgres', '--db-url', url, '--db-pool-size', '4', '--node-route', `node${index}`, '--hostname', hostname, '--kek-file', kek] }));
    }
    await enableRotation(nodes[0].url);
  });
  after(async () => {
    for (const node of nodes) await node.stop('SIGTERM');
    await server?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  });

  it('answers 503 while the database is down, never 500, stays up, recovers by itself and keeps what it acknowledged', () =>
    outageUnderLoad({
      nodes,
      down: () => server.kill(),
      up: () => server.start(),
      description: 'Database unavailable',
      seed: Number(process.env.FAULTS_SEED ?? 20240611),
    }));
});
