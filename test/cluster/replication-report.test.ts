/**
 * What the host survey's answers mean for readiness (replication-watch.ts): when commits count as
 * blocked on a synchronous standby, when the deployment merely runs without one, and what is said
 * about the hosts. The survey itself runs against real servers in sync-standby-loss.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judgeReplication } from '../../src/cluster/index.ts';
import type { HostState, PrimaryReplication } from '../../src/store/sql/index.ts';

const healthy: PrimaryReplication = { names: 'site_b', commit: 'on', standbys: 1, sync: 1, hidden: 0, waiting: 0, longestWaitSeconds: 0 };
const primary = (replication: Partial<PrimaryReplication> = {}): HostState => ({ name: 'db-a:5432', role: 'primary', replication: { ...healthy, ...replication } });
const standby: HostState = { name: 'db-b:5432', role: 'read-only' };

describe('judging the primary’s replication', () => {
  it('is synchronous and not blocked while a standby confirms, and lists the hosts without their replication rows', () => {
    const report = judgeReplication([primary(), standby]);
    assert.equal(report.synchronous, true);
    assert.equal(report.blocked, undefined);
    assert.deepEqual(report.hosts, [
      { name: 'db-a:5432', role: 'primary' },
      { name: 'db-b:5432', role: 'read-only' },
    ]);
  });

  it('counts commits as blocked when no standby confirms, or one has waited 3 s, naming the setting', () => {
    const gone = judgeReplication([primary({ standbys: 0, sync: 0 }), { name: 'db-b:5432', role: 'unreachable', detail: 'connect ECONNREFUSED' }]);
    assert.match(gone.blocked!, /synchronous_standby_names='site_b', which does not confirm them \(0 standby\(s\) streaming, 0 synchronous/);
    assert.equal(gone.synchronous, false);
    // Cut off but not yet dropped by the primary: still listed as sync, yet commits wait.
    assert.match(judgeReplication([primary({ waiting: 2, longestWaitSeconds: 4.2 })]).blocked!, /2 commit\(s\) waiting for up to 4 s/);
    assert.equal(judgeReplication([primary({ waiting: 2, longestWaitSeconds: 0.2 })]).blocked, undefined);
    for (const commit of ['remote_apply', 'remote_write']) assert.ok(judgeReplication([primary({ commit, sync: 0, standbys: 0 })]).blocked, commit);
  });

  it('is not blocked where commits do not wait, only not synchronous, and says why', () => {
    const none = judgeReplication([primary({ names: '', sync: 0, standbys: 0 })]);
    assert.equal(none.blocked, undefined);
    assert.match(none.detail, /no synchronous standby configured/);
    const local = judgeReplication([primary({ commit: 'local', sync: 0 })]);
    assert.equal(local.blocked, undefined);
    assert.match(local.detail, /commits do not wait for the standby to flush/);
    const hidden = judgeReplication([primary({ sync: 0, hidden: 1 })]);
    assert.equal(hidden.blocked, undefined);
    assert.match(hidden.detail, /grant pg_monitor/);
  });

  it('says when no host takes writes, keeping what it last knew, and calls two primaries a split brain', () => {
    const before = judgeReplication([primary(), standby]);
    const away = judgeReplication([{ name: 'db-a:5432', role: 'unreachable', detail: 'timeout' }, standby], before);
    assert.equal(away.synchronous, true);
    assert.equal(away.detail, 'no writable primary (db-a:5432: unreachable (timeout); db-b:5432: read-only)');
    assert.match(judgeReplication([primary(), { ...primary(), name: 'db-b:5432' }]).detail, /^SPLIT BRAIN: db-a:5432 and db-b:5432 all take writes/);
  });
});
