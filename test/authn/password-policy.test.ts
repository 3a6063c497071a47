/**
 * The realm password policy through the real admin client against a listening holdfast, on
 * SQLite and PostgreSQL: Keycloak's policy string parsed when saved (unknown rule, bad value),
 * each rule's refusal on reset-password with Keycloak's `{error, error_description}`, history
 * kept as `password-history` credentials, the blacklist file in the data directory, and the
 * policy's hash algorithm used for new passwords.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { exportRealm } from '../../src/admin/index.ts';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

const backends = ['sqlite', 'postgres'] as const;

for (const backend of backends) {
  describe(`password policy (${backend})`, () => {
    let server: AdminServer;
    let database: FreshDatabase | undefined;
    let unavailable: string | undefined;
    let kc: KcAdminClient;
    let userId: string;
    before(async () => {
      if (backend === 'postgres') {
        try {
          database = await freshDatabase('holdfast_authn');
        } catch (error) {
          unavailable = (error as Error).message;
          return;
        }
      }
      server = await startAdminServer(database ? { db: 'postgres', dbUrl: database.url, kek: { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() } } : {});
      kc = await adminClient(server.url, {}, 'demo');
      ({ id: userId } = await kc.users.create({ username: 'bob', email: 'bob@example.com', enabled: true }));
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });
    const setPolicy = (passwordPolicy: string) => kc.realms.update({ realm: 'demo' }, { passwordPolicy });
    const reset = (value: string) => kc.users.resetPassword({ id: userId, credential: { type: 'password', value, temporary: false } });
    const refusal = async (value: string) => (await failure(reset(value))).body;

    it('refuses an unknown rule or a bad value when the policy is saved, naming the rule', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const unknown = await failure(setPolicy('length(8) and foo(1)'));
      assert.equal(unknown.status, 400);
      assert.deepEqual(unknown.body, { errorMessage: 'Password policy not found', field: 'passwordPolicy', params: ['foo'] });
      const bad = await failure(setPolicy('length(x)'));
      assert.equal(bad.body.errorMessage, 'Invalid config for length: Not a valid number');
      const missingFile = await failure(setPolicy('passwordBlacklist(nope.txt)'));
      assert.equal(missingFile.status, 400);
      assert.equal((await kc.realms.findOne({ realm: 'demo' }))!.passwordPolicy, undefined);
    });

    it("refuses passwords breaking each rule with Keycloak's message", async (context) => {
      if (unavailable) return context.skip(unavailable);
      const cases: Array<[string, string, string, string]> = [
        ['length(8)', 'short', 'invalidPasswordMinLengthMessage', 'Invalid password: minimum length 8.'],
        ['maxLength(3)', 'abcd', 'invalidPasswordMaxLengthMessage', 'Invalid password: maximum length 3.'],
        ['digits(2)', 'abc1', 'invalidPasswordMinDigitsMessage', 'Invalid password: must contain at least 2 numerical digits.'],
        ['lowerCase(2)', 'aB', 'invalidPasswordMinLowerCaseCharsMessage', 'Invalid password: must contain at least 2 lower case characters.'],
        ['upperCase', 'abc', 'invalidPasswordMinUpperCaseCharsMessage', 'Invalid password: must contain at least 1 upper case characters.'],
        ['specialChars(2)', 'a!', 'invalidPasswordMinSpecialCharsMessage', 'Invalid password: must contain at least 2 special characters.'],
        ['notUsername(undefined)', 'BOB', 'invalidPasswordNotUsernameMessage', 'Invalid password: must not be equal to the username.'],
        ['notContainsUsername(undefined)', 'xbobx', 'invalidPasswordNotContainsUsernameMessage', 'Invalid password: Can not contain the username.'],
        ['notEmail(undefined)', 'Bob@Example.com', 'invalidPasswordNotEmailMessage', 'Invalid password: must not be equal to the email.'],
        ['regexPattern(^a.*)', 'bcd', 'invalidPasswordRegexPatternMessage', 'Invalid password: fails to match regex pattern(s).'],
      ];
      for (const [policy, password, error, description] of cases) {
        await setPolicy(policy);
        assert.deepEqual(await refusal(password), { error, error_description: description }, policy);
      }
      await setPolicy('length(8) and digits(1) and notUsername(undefined)');
      await reset('abcdefg1');
    });

    it('keeps the password history the policy asks for, as password-history credentials', async (context) => {
      if (unavailable) return context.skip(unavailable);
      await setPolicy('passwordHistory(3)');
      await reset('first-1');
      await reset('second-2');
      assert.deepEqual(await refusal('first-1'), { error: 'invalidPasswordHistoryMessage', error_description: 'Invalid password: must not be equal to any of last 3 passwords.' });
      assert.deepEqual(await refusal('second-2'), { error: 'invalidPasswordHistoryMessage', error_description: 'Invalid password: must not be equal to any of last 3 passwords.' });
      await reset('third-3');
      await reset('fourth-4');
      await reset('first-1');
      const types = (await server.holdfast.ctx.realms.repository.listCredentials(userId)).map((c) => c.type).sort();
      assert.deepEqual(types, ['password', 'password-history', 'password-history']);
    });

    it('refuses passwords of the blacklist file in <data-dir>/password-blacklists', async (context) => {
      if (unavailable) return context.skip(unavailable);
      const dir = path.join(server.dataDir, 'password-blacklists');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `weak-${backend}.txt`), 'password123\nletmein\n');
      await setPolicy(`passwordBlacklist(weak-${backend}.txt)`);
      assert.deepEqual(await refusal('LetMeIn'), { error: 'invalidPasswordBlacklistedMessage', error_description: 'Invalid password: password is blacklisted.' });
      await reset('something-else');
    });

    it("hashes new passwords with the policy's algorithm and iterations", async (context) => {
      if (unavailable) return context.skip(unavailable);
      await setPolicy('hashAlgorithm(pbkdf2-sha256) and hashIterations(1000)');
      await reset('hashed-with-pbkdf2');
      const password = await server.holdfast.ctx.realms.repository.getPassword(userId);
      assert.equal(password!.credentialData.algorithm, 'pbkdf2-sha256');
      assert.equal(password!.credentialData.hashIterations, 1000);
      const token = await fetch(`${server.url}/realms/master/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
      assert.equal(token.status, 200);
      const refused = await failure(setPolicy('hashIterations(99999999)'));
      assert.equal(refused.status, 400);
    });

    it('applies the policy to passwords given when a user is created, and exports it', async (context) => {
      if (unavailable) return context.skip(unavailable);
      await setPolicy('length(12)');
      const created = await failure(kc.users.create({ username: 'carol', enabled: true, credentials: [{ type: 'password', value: 'short' }] }));
      assert.deepEqual(created.body, { error: 'invalidPasswordMinLengthMessage', error_description: 'Invalid password: minimum length 12.' });
      const raw = await adminRequest(server.url, await masterToken(server.url), 'GET', '/demo');
      assert.equal(raw.body.passwordPolicy, 'length(12)');
      const exported = (await exportRealm(server.holdfast.ctx.realms.repository, 'demo', { includeUsers: false })) as any;
      assert.equal(exported.passwordPolicy, 'length(12)');
      await setPolicy('');
    });
  });
}

describe('password policy in realm files', () => {
  let server: AdminServer;
  before(async () => {
    server = await startAdminServer();
  });
  after(() => server.close());

  it('refuses a file whose policy does not parse, and hashes its clear-text passwords as the policy says', async () => {
    const token = await masterToken(server.url);
    const bad = await adminRequest(server.url, token, 'POST', '', { realm: 'bad-policy', passwordPolicy: 'length(8) and nope' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'passwordPolicy');
    const file = { realm: 'policy-file', passwordPolicy: 'hashAlgorithm(pbkdf2-sha512) and hashIterations(1000)', users: [{ username: 'dora', enabled: true, credentials: [{ type: 'password', value: 'dora-pw' }] }] };
    assert.equal((await adminRequest(server.url, token, 'POST', '', file)).status, 201);
    const exported = (await exportRealm(server.holdfast.ctx.realms.repository, 'policy-file', { includeUsers: true })) as any;
    const credential = exported.users[0].credentials[0];
    assert.deepEqual([JSON.parse(credential.credentialData).algorithm, JSON.parse(credential.credentialData).hashIterations], ['pbkdf2-sha512', 1000]);
    assert.equal(exported.passwordPolicy, file.passwordPolicy);
  });
});
