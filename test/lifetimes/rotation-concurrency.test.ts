/**
 * Acceptance: 1,000 concurrent refreshes of the same rotated refresh token yield exactly
 * `refreshTokenMaxReuse` + 1 successes; every other one is refused with Keycloak's reuse error
 * (or, once the client was logged out of the session for it, "Session doesn't have required
 * client"), and the newest tokens die with the client session. In-memory SQLite and a real
 * SQLite file, through `app.inject()`.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { tempDir } from '../support/process.ts';
import { assertOAuthError, configureRealm, passwordGrant, refresh } from './helpers.ts';

const CONCURRENT = 1000;

for (const store of ['in-memory SQLite', 'SQLite file'] as const) {
  describe(`rotation under ${CONCURRENT} concurrent refreshes (${store})`, () => {
    let t: TestApp | undefined;
    after(() => t?.close());

    for (const maxReuse of [0, 2]) {
      it(`refreshTokenMaxReuse ${maxReuse}: exactly ${maxReuse + 1} succeed`, async () => {
        t ??= await testApp(store === 'SQLite file' ? { dataDir: tempDir() } : {});
        await configureRealm(t, { revokeRefreshToken: true, refreshTokenMaxReuse: maxReuse });
        const login = await passwordGrant(t);
        assert.equal(login.status, 200);
        t.clock.advanceSeconds(10);
        const rotated = await refresh(t, login.body.refresh_token);
        assert.equal(rotated.status, 200);
        t.clock.advanceSeconds(10);

        const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => refresh(t!, rotated.body.refresh_token)));
        const successes = answers.filter((a) => a.status === 200);
        assert.equal(successes.length, maxReuse + 1);
        const refusals = new Map<string, number>();
        for (const answer of answers.filter((a) => a.status !== 200)) {
          assert.equal(answer.status, 400);
          assert.equal(answer.body.error, 'invalid_grant');
          refusals.set(answer.body.error_description, (refusals.get(answer.body.error_description) ?? 0) + 1);
        }
        assert.ok((refusals.get('Maximum allowed refresh token reuse exceeded') ?? 0) >= 1, JSON.stringify([...refusals]));
        assert.deepEqual(
          [...refusals.keys()].filter((d) => d !== 'Maximum allowed refresh token reuse exceeded' && d !== "Session doesn't have required client"),
          [],
        );
        for (const success of successes) {
          assertOAuthError(await refresh(t, success.body.refresh_token), 400, 'invalid_grant', "Session doesn't have required client");
        }
      });
    }
  });
}
