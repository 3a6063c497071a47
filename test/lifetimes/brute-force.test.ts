/**
 * Brute-force detection as Keycloak's (keycloak-compat.md §2.6, §8.1), on the manual clock:
 * temporary lockouts from `failureFactor` (MULTIPLE and LINEAR), the `maxFailureWaitSeconds`
 * cap, quick-login waits, the `maxDeltaTimeSeconds` reset, permanent lockout (at once, or after
 * `maxTemporaryLockouts`) disabling the user, and atomic counting under concurrency. A lock is
 * never revealed: the password grant answers 401 "Invalid user credentials" and the login form
 * "Invalid username or password.", even to the right password.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RealmSettings } from '../../src/realm/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { addUser, assertOAuthError, BRUTE_FORCE_PROTECTED, configureRealm, formLogin, loginPageError, passwordGrant, type TokenAnswer } from './helpers.ts';

describe('brute-force detection', () => {
  let t: TestApp;
  let user = 0;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  /** A fresh user and a clock reading in whole seconds for this test. */
  async function setUp(settings: Partial<RealmSettings>) {
    await configureRealm(t, settings);
    const username = `victim-${++user}`;
    const userId = await addUser(t, username, 'right-password');
    const start = Math.ceil(t.clock.nowMs() / 1000) * 1000 + 1000;
    const at = (seconds: number) => t.clock.set(start + seconds * 1000);
    const attempt = async (seconds: number, password: string): Promise<TokenAnswer> => {
      at(seconds);
      return passwordGrant(t, username, password);
    };
    const realmId = (await t.ctx.realms.repository.findRealmByName('demo'))!.id;
    const counters = () => t.ctx.store.getLoginFailure(realmId, userId);
    /** The failedLoginNotBefore of a lock that starts at `seconds` and lasts `wait`. */
    const lockedUntil = (seconds: number, wait: number) => Math.floor(start / 1000 + seconds) + wait;
    return { username, userId, at, attempt, counters, lockedUntil };
  }

  const invalidCredentials = (answer: TokenAnswer, context: string) => assertOAuthError(answer, 401, 'invalid_grant', 'Invalid user credentials', context);

  it('locks temporarily after failureFactor failures, hides the lock, and lets the user in afterwards', async () => {
    const { username, attempt, counters, at, lockedUntil } = await setUp(BRUTE_FORCE_PROTECTED);
    for (const second of [0, 2, 4]) invalidCredentials(await attempt(second, 'wrong'), `failure at ${second}`);
    const locked = (await counters())!;
    assert.deepEqual([locked.numFailures, locked.numTemporaryLockouts, locked.failedLoginNotBefore], [3, 1, lockedUntil(4, 60)]);

    invalidCredentials(await attempt(10, 'right-password'), 'right password while locked');
    at(11);
    assert.equal(loginPageError((await formLogin(t, username, 'right-password')).response), 'Invalid username or password.');
    // A failure while locked is not counted (Keycloak checks the lock before the password).
    invalidCredentials(await attempt(20, 'wrong'), 'failure while locked');
    assert.equal((await counters())!.numFailures, 3);

    invalidCredentials(await attempt(63, 'right-password'), 'one second before the lock ends');
    assert.equal((await attempt(64, 'right-password')).status, 200);
    assert.equal(await counters(), undefined, 'a successful login clears the counters');
  });

  it('waits longer with each factor of failures (MULTIPLE), up to maxFailureWaitSeconds', async () => {
    const { attempt, counters, lockedUntil } = await setUp({ ...BRUTE_FORCE_PROTECTED, failureFactor: 1, waitIncrementSeconds: 100, maxFailureWaitSeconds: 250 });
    await attempt(0, 'wrong');
    assert.equal((await counters())!.failedLoginNotBefore, lockedUntil(0, 100));
    await attempt(100, 'wrong');
    assert.equal((await counters())!.failedLoginNotBefore, lockedUntil(100, 200));
    await attempt(300, 'wrong');
    assert.equal((await counters())!.failedLoginNotBefore, lockedUntil(300, 250));
    invalidCredentials(await attempt(549, 'right-password'), 'capped lock still on');
    assert.equal((await attempt(550, 'right-password')).status, 200);
  });

  it('LINEAR: waits waitIncrementSeconds × (1 + failures − failureFactor)', async () => {
    const { attempt, counters, lockedUntil } = await setUp({ ...BRUTE_FORCE_PROTECTED, bruteForceStrategy: 'LINEAR', failureFactor: 2, waitIncrementSeconds: 60 });
    await attempt(0, 'wrong');
    assert.equal((await counters())!.failedLoginNotBefore, 0);
    await attempt(5, 'wrong');
    assert.equal((await counters())!.failedLoginNotBefore, lockedUntil(5, 60));
    await attempt(65, 'wrong');
    assert.equal((await counters())!.failedLoginNotBefore, lockedUntil(65, 120));
  });

  it('two failures quicker than quickLoginCheckMilliSeconds earn minimumQuickLoginWaitSeconds', async () => {
    const { attempt, counters, lockedUntil } = await setUp({ ...BRUTE_FORCE_PROTECTED, failureFactor: 30 });
    await attempt(0, 'wrong');
    await attempt(0.5, 'wrong');
    const failure = (await counters())!;
    assert.equal(failure.numTemporaryLockouts, 0, 'a quick-login wait is not a temporary lockout');
    assert.equal(failure.failedLoginNotBefore, lockedUntil(0.5, 60));
    invalidCredentials(await attempt(30, 'right-password'), 'quick-login wait');
    assert.equal((await attempt(61, 'right-password')).status, 200);
  });

  it('forgets failures older than maxDeltaTimeSeconds', async () => {
    const { attempt, counters } = await setUp({ ...BRUTE_FORCE_PROTECTED, maxDeltaTimeSeconds: 100 });
    await attempt(0, 'wrong');
    await attempt(10, 'wrong');
    await attempt(111, 'wrong');
    assert.equal((await counters())!.numFailures, 1);
    await attempt(120, 'wrong');
    assert.equal((await counters())!.failedLoginNotBefore, 0, 'two failures in the window: not locked');
    assert.equal((await attempt(125, 'right-password')).status, 200);
  });

  it('permanent lockout disables the user; the answer stays the same until brute-force protection is off', async () => {
    const { username, userId, attempt, at } = await setUp({ ...BRUTE_FORCE_PROTECTED, permanentLockout: true, maxTemporaryLockouts: 0, failureFactor: 2 });
    await attempt(0, 'wrong');
    await attempt(5, 'wrong');
    const disabled = (await t.ctx.realms.repository.findUserById(userId))!;
    assert.equal(disabled.enabled, false);
    assert.deepEqual(disabled.attributes.disabledReason, ['permanentLockout']);
    invalidCredentials(await attempt(1000, 'right-password'), 'permanently locked, password grant');
    at(1001);
    assert.equal(loginPageError((await formLogin(t, username, 'right-password')).response), 'Invalid username or password.');

    await configureRealm(t, { ...BRUTE_FORCE_PROTECTED, bruteForceProtected: false });
    assertOAuthError(await attempt(1002, 'right-password'), 400, 'invalid_grant', 'Account disabled');
    at(1003);
    assert.equal(loginPageError((await formLogin(t, username, 'right-password')).response), 'Account is disabled, contact your administrator.');
  });

  it('permanent lockout after maxTemporaryLockouts temporary ones', async () => {
    const { userId, attempt, counters } = await setUp({ ...BRUTE_FORCE_PROTECTED, permanentLockout: true, maxTemporaryLockouts: 1, failureFactor: 2, waitIncrementSeconds: 60 });
    await attempt(0, 'wrong');
    await attempt(5, 'wrong');
    assert.equal((await counters())!.numTemporaryLockouts, 1);
    assert.equal((await t.ctx.realms.repository.findUserById(userId))!.enabled, true, 'first lockout: temporary');
    invalidCredentials(await attempt(30, 'right-password'), 'temporarily locked');
    await attempt(70, 'wrong');
    await attempt(75, 'wrong');
    assert.equal((await counters())!.numTemporaryLockouts, 2);
    assert.equal((await t.ctx.realms.repository.findUserById(userId))!.enabled, false, 'second lockout: permanent');
    invalidCredentials(await attempt(10_000, 'right-password'), 'permanently locked');
  });

  it('counts concurrent failures exactly, and nothing while protection is off or for unknown users', async () => {
    const { username, counters } = await setUp({ ...BRUTE_FORCE_PROTECTED, failureFactor: 1000, quickLoginCheckMilliSeconds: 0 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => passwordGrant(t, username, 'wrong')));
    for (const answer of answers) invalidCredentials(answer, 'concurrent failure');
    assert.equal((await counters())!.numFailures, 20);

    const off = await setUp({ ...BRUTE_FORCE_PROTECTED, bruteForceProtected: false });
    await off.attempt(0, 'wrong');
    assert.equal(await off.counters(), undefined);
    invalidCredentials(await passwordGrant(t, 'nobody-at-all', 'wrong'), 'unknown user');
  });
});
