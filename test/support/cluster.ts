/**
 * A real cluster for tests: holdfast nodes as processes on one fresh PostgreSQL database, behind
 * HAProxy run from the machine's binary with deploy/haproxy.cfg rewritten to free loopback ports
 * (so the shipped configuration is the one tested). Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { freshDatabase, type FreshDatabase } from './postgres.ts';
import { ROOT, freePort, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from './process.ts';

const HAPROXY_CANDIDATES = [process.env.HAPROXY, '/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'];

/** The HAProxy binary, or undefined when none is installed. */
export function haproxyBinary(): string | undefined {
  return HAPROXY_CANDIDATES.find((candidate) => candidate && fs.existsSync(candidate));
}

export interface ClusterNode {
  route: string;
  port: number;
  /** The node's management interface, where HAProxy sends its health checks. */
  managementPort: number;
  url: string;
  process?: RunningHoldfast;
}

export interface TestCluster {
  /** HAProxy's URL: the public URL and issuer of every node. */
  url: string;
  nodes: ClusterNode[];
  database: FreshDatabase;
  /** Stops a node (SIGTERM: clean, SIGKILL: crash) and returns its exit code. */
  stopNode(index: number, signal: NodeJS.Signals): Promise<number | null>;
  /**
   * Starts a stopped node again on its port and waits until HAProxy sends it traffic: the
   * cluster's release, or the checkout at `root` (ROOT for this one, in upgrade tests).
   */
  startNode(index: number, root?: string): Promise<void>;
  /** HAProxy's view of a server: UP, DOWN, … (from its statistics page). */
  serverStatus(route: string): Promise<string | undefined>;
  waitForServer(route: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  nodeIndex(route: string): number;
  stop(): Promise<void>;
}

/** deploy/haproxy.cfg with its ports replaced; throws if the file no longer has what is replaced. */
export function haproxyConfig(ports: { frontend: number; stats: number; nodes: Array<{ port: number; managementPort: number }> }): string {
  let config = fs.readFileSync(path.join(ROOT, 'deploy/haproxy.cfg'), 'utf8');
  const replace = (pattern: RegExp, value: string) => {
    if (!pattern.test(config)) throw new Error(`deploy/haproxy.cfg: ${pattern} not found`);
    config = config.replace(pattern, value);
  };
  replace(/^(\s*)bind :8080$/m, `$1bind 127.0.0.1:${ports.frontend}`);
  replace(/^(\s*)bind 127\.0\.0\.1:8404$/m, `$1bind 127.0.0.1:${ports.stats}`);
  ports.nodes.forEach(({ port, managementPort }, index) =>
    replace(new RegExp(`^(\\s*server node${index + 1}) 127\\.0\\.0\\.1:808${index + 1} port 900${index + 1}$`, 'm'), `$1 127.0.0.1:${port} port ${managementPort}`),
  );
  return config;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `root`: the checkout every node starts from (earlier-release.ts), this one unless given. */
export async function startCluster(size = 3, options: { root?: string } = {}): Promise<TestCluster> {
  const binary = haproxyBinary();
  if (!binary) throw new Error('haproxy is not installed (apt-get install haproxy)');
  const database = await freshDatabase('holdfast_cluster');
  const dataDir = tempDir();
  // Every node of a cluster holds the same key-encryption key.
  const kekFile = writeKekFile(dataDir);
  const frontend = await freePort();
  const stats = await freePort();
  const nodes: ClusterNode[] = [];
  for (let i = 1; i <= size; i += 1) {
    const port = await freePort();
    nodes.push({ route: `node${i}`, port, managementPort: await freePort(), url: `http://127.0.0.1:${port}` });
  }
  const url = `http://127.0.0.1:${frontend}`;
  const launch = (node: ClusterNode, root = options.root) =>
    startHoldfast({
      dataDir,
      root,
      port: node.port,
      managementPort: node.managementPort,
      // Production mode, as deploy/haproxy.cfg says to run the nodes.
      command: 'start',
      args: [
        ...['--db', 'postgres', '--db-url', database.url, '--kek-file', kekFile, '--db-pool-size', '8', '--node-route', node.route, '--hostname', url],
        ...['--proxy-headers', 'xforwarded', '--proxy-trusted-addresses', '127.0.0.1', '--shutdown-delay', '3'],
      ],
    });

  let haproxy: ChildProcess | undefined;
  let haproxyOutput = '';
  const stopAll = async () => {
    await Promise.all(nodes.map((node) => node.process?.stop('SIGTERM')));
    if (haproxy && haproxy.exitCode === null) {
      const exited = once(haproxy, 'exit');
      haproxy.kill('SIGTERM');
      await exited;
    }
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const serverStatus = async (route: string): Promise<string | undefined> => {
    const response = await fetch(`http://127.0.0.1:${stats}/;csv`);
    const [header, ...rows] = (await response.text()).trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const status = columns.indexOf('status');
    const row = rows.map((line) => line.split(',')).find((fields) => fields[0] === 'holdfast_nodes' && fields[1] === route);
    return row?.[status];
  };
  const waitForServer = (route: string, status: 'UP' | 'DOWN', timeoutMs = 15_000) =>
    waitFor(`HAProxy to see ${route} ${status}`, timeoutMs, async () => (await serverStatus(route).catch(() => undefined)) === status);

  try {
    // All at once on the empty database: migrations and seeding must not race.
    await Promise.all(nodes.map(async (node) => (node.process = await launch(node))));
    const configFile = path.join(dataDir, 'haproxy.cfg');
    fs.writeFileSync(configFile, haproxyConfig({ frontend, stats, nodes }));
    haproxy = spawn(binary, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    haproxy.stdout!.on('data', (chunk) => (haproxyOutput += chunk));
    haproxy.stderr!.on('data', (chunk) => (haproxyOutput += chunk));
    await waitFor('HAProxy to start', 10_000, async () => {
      if (haproxy!.exitCode !== null) throw new Error(`haproxy exited: ${haproxyOutput}`);
      return (await serverStatus('node1').catch(() => undefined)) !== undefined;
    });
    for (const node of nodes) await waitForServer(node.route, 'UP');
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }

  return {
    url,
    nodes,
    database,
    async stopNode(index, signal) {
      const node = nodes[index];
      const code = (await node.process?.stop(signal)) ?? null;
      node.process = undefined;
      return code;
    },
    async startNode(index, root) {
      const node = nodes[index];
      node.process = await launch(node, root ?? options.root);
      await waitForServer(node.route, 'UP');
    },
    serverStatus,
    waitForServer,
    nodeIndex(route) {
      const index = nodes.findIndex((node) => node.route === route);
      if (index < 0) throw new Error(`no node with route ${route}`);
      return index;
    },
    stop: stopAll,
  };
}
