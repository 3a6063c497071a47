/**
 * Two sites on Redis for tests: a master (site A) and its replica (site B), each a throwaway
 * redis-server with its own data directory, watched by three Sentinels (`redis-server <conf>
 * --sentinel`, so the redis-sentinel package is not needed) that promote the replica when the
 * master is gone. Every port is a free loopback one and every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, tempDir } from './process.ts';
import { REDIS_SERVER, ThrowawayRedis, until } from './redis-server.ts';

export const MASTER_NAME = 'holdfast';

export interface SentinelTopology {
  master: ThrowawayRedis;
  replica: ThrowawayRedis;
  sentinelPorts: number[];
  /** `--sessions-url` for holdfast: every Sentinel and the master's name. */
  url: string;
  /** The port Sentinels name as the master now (asked of the first that answers). */
  masterPort(): Promise<number | undefined>;
  /** Waits until every Sentinel still running names `port` as the master. */
  waitForMaster(port: number, timeoutMs: number): Promise<number>;
  /** SIGKILL to Sentinel `index` (0 stands in site A, with the master), as when its site is lost. */
  killSentinel(index: number): Promise<void>;
  dispose(): Promise<void>;
}

async function ask<T>(port: number, command: (client: Redis) => Promise<T>): Promise<T | undefined> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, connectTimeout: 500, commandTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return await command(client);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

const sentinelMaster = (port: number): Promise<number | undefined> =>
  ask(port, async (client) => {
    const address = (await client.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string] | null;
    return address ? Number(address[1]) : undefined;
  });

/** Starts the master, the replica (synced) and three Sentinels that know both. */
export async function startSentinelTopology(options: { downAfterMs: number }): Promise<SentinelTopology> {
  const master = new ThrowawayRedis(await freePort(), tempDir('holdfast-redis-a-'));
  await master.start();
  const replica = new ThrowawayRedis(await freePort(), tempDir('holdfast-redis-b-'), [`replicaof 127.0.0.1 ${master.port}`]);
  await replica.start();
  await until('replica in sync', async () => (await ask(replica.port, (c) => c.info('replication')))?.includes('master_link_status:up') ?? false, 15_000);

  const sentinelDir = tempDir('holdfast-sentinels-');
  const sentinels: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const port = await freePort();
    const file = path.join(sentinelDir, `sentinel-${port}.conf`);
    const lines = [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${sentinelDir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${options.downAfterMs}`,
      `sentinel failover-timeout ${MASTER_NAME} 10000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
    ];
    fs.writeFileSync(file, lines.join('\n') + '\n');
    sentinels.push(spawn(REDIS_SERVER, [file, '--sentinel'], { stdio: 'ignore' }));
    sentinelPorts.push(port);
  }
  const killSentinels = (): void => sentinels.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killSentinels);

  const running = (i: number): boolean => sentinels[i].exitCode === null && sentinels[i].signalCode === null;
  const waitForMaster = async (port: number, timeoutMs: number): Promise<number> =>
    until(
      `Sentinels naming ${port} the master`,
      async () => (await Promise.all(sentinelPorts.filter((_, i) => running(i)).map(sentinelMaster))).every((named) => named === port),
      timeoutMs,
    );
  // Each Sentinel must know the replica (from the master's INFO) and the others, or it cannot promote.
  await until(
    'Sentinels know the replica and each other',
    async () =>
      (
        await Promise.all(
          sentinelPorts.map((port) =>
            ask(port, async (client) => {
              const replicas = (await client.call('SENTINEL', 'replicas', MASTER_NAME)) as unknown[];
              const peers = (await client.call('SENTINEL', 'sentinels', MASTER_NAME)) as unknown[];
              return replicas.length === 1 && peers.length === 2;
            }),
          ),
        )
      ).every(Boolean),
    20_000,
  );

  return {
    master,
    replica,
    sentinelPorts,
    url: `redis+sentinel://${sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',')}/${MASTER_NAME}`,
    async masterPort() {
      for (const port of sentinelPorts) {
        const named = await sentinelMaster(port);
        if (named !== undefined) return named;
      }
      return undefined;
    },
    waitForMaster,
    async killSentinel(index) {
      const child = sentinels[index];
      if (!running(index)) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await Promise.all(
        sentinels.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        }),
      );
      process.off('exit', killSentinels);
      fs.rmSync(sentinelDir, { recursive: true, force: true });
      await master.dispose();
      await replica.dispose();
    },
  };
}
