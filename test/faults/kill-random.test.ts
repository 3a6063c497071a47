/**
 * kill -9 at random moments of a mixed load (logins by password and through the login form with a
 * code, refresh-token rotations, logouts), 20 rounds on one SQLite data directory, the process
 * started again after each kill. A seeded generator picks the moments (FAULTS_SEED repeats a run).
 * Whatever was in flight at a kill may or may not have happened; everything acknowledged must
 * hold: later rounds keep using the sessions (a lost one shows up at once as an unexpected
 * answer), and at the end every live session refreshes with its newest token, every logged-out
 * one stays logged out, every redeemed code is refused, and rotated-away tokens are refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ledger, enableRotation, mixedStep, seededRandom } from '../support/acknowledged.ts';
import { buildBundle, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { sleep, until } from '../support/redis-server.ts';

const SEED = Number(process.env.FAULTS_SEED ?? 7331);
const ROUNDS = 20;
const WORKERS = 4;

describe('kill -9 at random points of logins, logouts and rotations', () => {
  const dataDir = tempDir();
  let bundle: string | undefined;
  let server: RunningHoldfast;

  before(async () => {
    bundle = await buildBundle();
    server = await startHoldfast({ dataDir, bundle });
    await enableRotation(server.url);
  });
  after(async () => {
    await server?.stop('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  });

  it(`keeps every acknowledged result through ${ROUNDS} kills (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const ledger = new Ledger();
    // Enough sessions that the few each kill leaves in doubt do not use them all up.
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 6; i += 1) await ledger.passwordLogin(server.url);
    }));
    assert.equal(ledger.sessions.length, 24, ledger.unexpected.join('\n'));

    for (let round = 1; round <= ROUNDS; round += 1) {
      let killed = false;
      const worker = async (): Promise<void> => {
        for (let step = 0; !killed && step < 200; step += 1) await mixedStep(ledger, server.url, random);
      };
      const workers = Array.from({ length: WORKERS }, worker);
      // A random number of acknowledged steps, then a random instant: whatever the machine's speed.
      const target = ledger.acknowledged + 2 + Math.floor(random() * 10);
      await until(`round ${round}: steps acknowledged`, async () => ledger.acknowledged >= target, 30_000);
      await sleep(Math.floor(random() * 150));
      // No new request after the kill: only those it cut are in doubt.
      killed = true;
      assert.equal(await server.stop('SIGKILL'), null, `round ${round}: the process was still running when killed`);
      await Promise.all(workers);
      assert.deepEqual(ledger.unexpected, [], `round ${round}`);
      server = await startHoldfast({ dataDir, port: server.port, bundle });
    }

    assert.ok(ledger.unavailable > 0, 'some requests were cut by a kill');
    assert.ok(ledger.sessions.some((s) => s.state === 'live'), 'some sessions are live for the check');
    assert.ok(ledger.sessions.some((s) => s.consumed.length > 0), 'some rotations were acknowledged');
    assert.ok(ledger.sessions.some((s) => s.state === 'loggedOut'), 'some logouts were acknowledged');
    assert.ok(ledger.redeemedCodes.length > 0, 'some codes were redeemed');
    // Last: the check rotates every live session once more, then replays a rotated-away token of each.
    assert.deepEqual(await ledger.verify(server.url, { rotation: true }), []);
  });
});
