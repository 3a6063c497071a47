/**
 * A rolling upgrade on PostgreSQL (issue #17.1): three nodes of the previous release behind
 * HAProxy, upgraded to this release one by one while clients keep refreshing their sessions
 * through HAProxy. No session is lost, no answer is a 5xx from holdfast, and a logout done
 * mid-roll (old and new nodes serving together) holds on every node.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { haproxyBinary, startCluster, type TestCluster } from '../support/cluster.ts';
import { checkOutEarlierRelease, commitMissing, type EarlierRelease } from '../support/earlier-release.ts';
import { inBatches, logoutWithRefreshToken, passwordGrant, refresh } from '../support/oidc-requests.ts';
import { ROOT } from '../support/process.ts';
import { RefreshLoad } from '../support/refresh-load.ts';

const PREVIOUS_RELEASE = '23bfa7a';
const SESSIONS = 30;
const LOGGED_OUT = 4;

const skip = commitMissing(PREVIOUS_RELEASE) ?? (haproxyBinary() ? undefined : 'haproxy is not installed (apt-get install haproxy)');

describe('rolling upgrade from the previous release on PostgreSQL', { skip }, () => {
  let release: EarlierRelease;
  let cluster: TestCluster;
  before(async () => {
    release = checkOutEarlierRelease(PREVIOUS_RELEASE);
    cluster = await startCluster(3, { root: release.root });
  });
  after(async () => {
    await cluster?.stop();
    release?.remove();
  });

  /** Each node, old or new, refuses the refresh tokens of the sessions logged out. */
  async function refusedEverywhere(refreshTokens: string[], when: string): Promise<void> {
    for (const node of cluster.nodes) {
      for (const token of refreshTokens) {
        const answer = await refresh(node.url, token);
        assert.equal(answer.status, 400, `${node.route} refreshed a logged-out session ${when}`);
        assert.equal(answer.body.error, 'invalid_grant');
      }
    }
  }

  it('loses no session, answers no 5xx, and keeps a logout done mid-roll', async () => {
    const login = async () => {
      const grant = await passwordGrant(cluster.url);
      assert.equal(grant.status, 200, JSON.stringify(grant.body));
      return grant.body.refresh_token as string;
    };
    const tokens = await inBatches(Array.from({ length: SESSIONS }), 5, login);
    const toLogOut = await inBatches(Array.from({ length: LOGGED_OUT }), 4, login);
    const load = new RefreshLoad(cluster.url, tokens, { concurrency: 4, maxRequests: 50_000 }).start();
    for (let index = 0; index < cluster.nodes.length; index += 1) {
      assert.equal(await cluster.stopNode(index, 'SIGTERM'), 0);
      await cluster.startNode(index, ROOT);
      // One node upgraded, two old: log out while both releases serve.
      if (index === 0) {
        for (const token of toLogOut) assert.equal(await logoutWithRefreshToken(cluster.url, token), 204);
        await refusedEverywhere(toLogOut, 'mid-roll');
      }
    }
    const duringRoll = (await load.stop()).refreshed;
    const after = await load.pass();
    assert.deepEqual(after.lost, [], 'no session lost');
    assert.deepEqual(after.unexpected, [], 'no 5xx or other unexpected answer');
    await refusedEverywhere(toLogOut, 'after the roll');
    console.log(
      `rolling upgrade ${PREVIOUS_RELEASE} → current, 3 nodes: ${SESSIONS} sessions, ${duringRoll} refreshes during the roll, ${after.refreshed} in all, ${after.connectionErrors} retried connection errors, 0 lost, 0 5xx; ${LOGGED_OUT} logouts mid-roll held on every node`,
    );
  });
});
