/**
 * One backend outage under load, for every backend a node depends on (PostgreSQL, Redis): a mixed
 * load of logins, rotations and logouts runs on real nodes while the backend is taken down and
 * brought back. While it is down, readiness is false and requests answer 503
 * `temporarily_unavailable` at once; no answer is ever anything else (a 500 above all); the nodes
 * stay up and serve again by themselves; every acknowledged result holds afterwards.
 */
import assert from 'node:assert/strict';
import { Ledger, mixedStep, seededRandom } from './acknowledged.ts';
import { DEMO_SERVICE } from './oidc-requests.ts';
import type { RunningHoldfast } from './process.ts';
import { sleep, until } from './redis-server.ts';

export interface Outage {
  /** Nodes on the backend; requests alternate between them, and the last one checks the outcome. */
  nodes: RunningHoldfast[];
  down(): Promise<void>;
  up(): Promise<void>;
  /** The `error_description` of the 503 (which store is away). */
  description: string;
  seed: number;
}

const WORKERS = 4;
const ready = (node: RunningHoldfast) => fetch(`${node.managementUrl}/health/ready`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status);

async function probe(node: RunningHoldfast): Promise<{ readiness: { status: number; body: any }; login: { status: number; body: any } }> {
  const [readiness, login] = await Promise.all([
    fetch(`${node.managementUrl}/health/ready`).then(async (r) => ({ status: r.status, body: await r.json() })),
    fetch(`${node.url}/realms/demo/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', ...DEMO_SERVICE }),
    }).then(async (r) => ({ status: r.status, body: await r.json() })),
  ]);
  return { readiness, login };
}

export async function outageUnderLoad({ nodes, down, up, description, seed }: Outage): Promise<void> {
  const random = seededRandom(seed);
  const ledger = new Ledger();
  for (let i = 0; i < 12; i += 1) await ledger.passwordLogin(nodes[i % nodes.length].url);
  assert.equal(ledger.sessions.length, 12, ledger.unexpected.join('\n'));
  const alive = () => {
    for (const node of nodes) assert.equal(node.process.exitCode, null, `node exited:\n${node.output()}`);
  };

  let stopping = false;
  let steps = 0;
  const worker = async (index: number): Promise<void> => {
    while (!stopping && steps < 5000) {
      steps += 1;
      const unavailableBefore = ledger.unavailable;
      await mixedStep(ledger, nodes[(index + steps) % nodes.length].url, random);
      // Do not spin on a backend that is away.
      if (ledger.unavailable > unavailableBefore) await sleep(50);
    }
  };
  const workers = Array.from({ length: WORKERS }, (_, index) => worker(index));
  try {
    const acknowledgedBefore = ledger.acknowledged;
    await until('load acknowledged', async () => ledger.acknowledged >= acknowledgedBefore + 60, 30_000);

    await down();
    for (const node of nodes) {
      const started = Date.now();
      const { readiness, login } = await probe(node);
      // At once, not after a connection or query timeout: a bound far above the real time.
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      assert.equal(readiness.status, 503);
      assert.equal(readiness.body.status, 'DOWN');
      assert.deepEqual(login, { status: 503, body: { error: 'temporarily_unavailable', error_description: description } });
    }
    const unavailableAtStop = ledger.unavailable;
    await until('the load saw the outage', async () => ledger.unavailable >= unavailableAtStop + 20, 20_000);
    alive();

    await up();
    await until('every node ready again', async () => (await Promise.all(nodes.map(ready))).every((status) => status === 200), 30_000);
    const acknowledgedAfter = ledger.acknowledged;
    await until('load acknowledged after the outage', async () => ledger.acknowledged >= acknowledgedAfter + 60, 30_000);
  } finally {
    stopping = true;
    await Promise.all(workers);
  }

  assert.deepEqual(ledger.unexpected, []);
  alive();
  assert.doesNotMatch(nodes.map((n) => n.output()).join('\n'), /unhandled|uncaught/i);
  // Through one node, though the other served half of the requests: caches agree with the store.
  assert.deepEqual(await ledger.verify(nodes[nodes.length - 1].url, { rotation: true }), []);
  assert.ok(ledger.sessions.some((s) => s.state === 'loggedOut'), 'some logouts were acknowledged');
  assert.ok(ledger.redeemedCodes.length > 0, 'some codes were redeemed');
}
