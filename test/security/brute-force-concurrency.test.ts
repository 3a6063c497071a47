/**
 * Brute-force detection holds under concurrency (security issue #11, item 7): with
 * `failureFactor` 3, 10 or 50 concurrent wrong guesses check at most 3 passwords before the
 * lockout engages, because the lock check, the password check and the failure count run as one
 * step per user (a claim in the session store, so it holds across nodes too: the store contract
 * covers PostgreSQL and Redis). The right password is then refused while locked, answered
 * exactly like a wrong one, and works once the lock is over. Runs through `app.inject()` on the
 * SQLite store and on the memory store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../src/config/index.ts';
import type { RealmSettings } from '../../src/realm/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { addUser, assertOAuthError, BRUTE_FORCE_PROTECTED, configureRealm, formLogin, loginPageError, passwordGrant, type TokenAnswer } from '../lifetimes/helpers.ts';

// The quick-login check off, so that only failureFactor locks: concurrent guesses land within one millisecond of each other.
const PROTECTED: Partial<RealmSettings> = { ...BRUTE_FORCE_PROTECTED, quickLoginCheckMilliSeconds: 0 };

const invalidCredentials = (answer: TokenAnswer, context: string) => assertOAuthError(answer, 401, 'invalid_grant', 'Invalid user credentials', context);

const stores: Array<{ name: string; config: Partial<Config> }> = [
  { name: 'SQLite', config: {} },
  { name: 'memory', config: { sessions: 'memory' } },
];

for (const { name, config } of stores) {
  describe(`brute force under concurrency (${name} store)`, () => {
    let t: TestApp;
    let user = 0;
    /** Failures that reached the store: one per password actually checked wrong. */
    let counted = 0;
    before(async () => {
      t = await testApp(config);
      const store = t.ctx.store;
      const record = store.recordLoginFailure.bind(store);
      store.recordLoginFailure = (...args) => {
        counted += 1;
        return record(...args);
      };
    });
    after(() => t.close());

    async function victim(settings: Partial<RealmSettings>) {
      await configureRealm(t, settings);
      const username = `victim-${++user}`;
      const userId = await addUser(t, username, 'right-password');
      const realmId = (await t.ctx.realms.repository.findRealmByName('demo'))!.id;
      counted = 0;
      return { username, counters: () => t.ctx.store.getLoginFailure(realmId, userId) };
    }

    for (const guesses of [10, 50]) {
      it(`${guesses} concurrent wrong guesses check 3 passwords; then the right one is refused while locked`, async () => {
        const { username, counters } = await victim(PROTECTED);
        const answers = await Promise.all(Array.from({ length: guesses }, (_, i) => passwordGrant(t, username, `wrong-${i}`)));
        for (const answer of answers) invalidCredentials(answer, 'concurrent guess');
        assert.equal(counted, 3, 'passwords checked wrong before the lockout');
        const locked = (await counters())!;
        assert.equal(locked.numFailures, 3);
        assert.equal(locked.numTemporaryLockouts, 1);

        invalidCredentials(await passwordGrant(t, username, 'right-password'), 'right password while locked');
        assert.equal(loginPageError((await formLogin(t, username, 'right-password')).response), 'Invalid username or password.');
        assert.equal(counted, 3, 'attempts while locked are not counted');

        t.clock.advanceSeconds(61);
        assert.equal((await passwordGrant(t, username, 'right-password')).status, 200, 'after the lock');
        assert.equal(await counters(), undefined);
      });
    }

    it('permanent lockout: 10 concurrent wrong guesses disable the user after exactly 3', async () => {
      const { username, counters } = await victim({ ...PROTECTED, permanentLockout: true, maxTemporaryLockouts: 0 });
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => passwordGrant(t, username, `wrong-${i}`)));
      for (const answer of answers) invalidCredentials(answer, 'concurrent guess');
      assert.equal(counted, 3);
      assert.equal((await counters())!.numFailures, 3);
      const stored = (await t.ctx.realms.repository.findUserByUsername((await t.ctx.realms.repository.findRealmByName('demo'))!.id, username))!;
      assert.equal(stored.enabled, false);
      invalidCredentials(await passwordGrant(t, username, 'right-password'), 'right password after a permanent lockout');
    });

    it('with the quick-login check on, concurrent guesses lock even sooner', async () => {
      const { username, counters } = await victim({ ...PROTECTED, quickLoginCheckMilliSeconds: 1000 });
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => passwordGrant(t, username, `wrong-${i}`)));
      for (const answer of answers) invalidCredentials(answer, 'concurrent guess');
      assert.ok(counted <= 3, `checked ${counted}`);
      assert.equal((await counters())!.numFailures, counted);
      invalidCredentials(await passwordGrant(t, username, 'right-password'), 'right password while locked');
    });
  });
}
