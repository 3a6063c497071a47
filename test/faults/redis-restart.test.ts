/**
 * Redis (external sessions, `--sessions redis`) killed with SIGKILL under load and started again
 * on its AOF, on a redis-server of the test's own, under a real holdfast process (realms in its
 * embedded SQLite). While Redis is away requests answer 503 `temporarily_unavailable` at once,
 * never a 500, readiness is false and the process stays up; once it is back it serves again
 * without a restart, and every acknowledged login, rotation, logout and code redemption holds.
 */
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { enableRotation } from '../support/acknowledged.ts';
import { outageUnderLoad } from '../support/outage.ts';
import { buildBundle, freePort, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { REDIS_SERVER, ThrowawayRedis } from '../support/redis-server.ts';

describe('Redis restarted under load', { skip: fs.existsSync(REDIS_SERVER) ? false : `${REDIS_SERVER} not installed` }, () => {
  const dataDir = tempDir();
  let redis: ThrowawayRedis;
  let bundle: string | undefined;
  const nodes: RunningHoldfast[] = [];

  before(async () => {
    redis = new ThrowawayRedis(await freePort(), tempDir('holdfast-redis-'));
    [, bundle] = await Promise.all([redis.start(), buildBundle()]);
    const args = ['--sessions', 'redis', '--sessions-url', `redis://127.0.0.1:${redis.port}`, '--sessions-key-prefix', 'faults:'];
    nodes.push(await startHoldfast({ dataDir, bundle, args }));
    await enableRotation(nodes[0].url);
  });
  after(async () => {
    for (const node of nodes) await node.stop('SIGTERM');
    await redis?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  });

  it('answers 503 while Redis is down, never 500, stays up, recovers by itself and keeps what it acknowledged', () =>
    outageUnderLoad({
      nodes,
      down: () => redis.stop('SIGKILL'),
      up: () => redis.start(),
      description: 'Session store unavailable',
      seed: Number(process.env.FAULTS_SEED ?? 424242),
    }));
});
