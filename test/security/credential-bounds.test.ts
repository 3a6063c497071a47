/**
 * Credentials cannot be used to exhaust the server (security issue #11, item 2). (a) A password
 * credential whose cost is over holdfast's bounds (30,000,000 pbkdf2 iterations, 256 MiB of
 * argon2 memory, …) is refused at the edge with a 400 naming the field: user create and update
 * through the admin API, realm import through POST /admin/realms and through the import the CLI
 * runs; nothing is stored and the user's old password still works; a real Keycloak 26 export
 * (test/fixtures/keycloak-realm.json) still imports and its argon2 and pbkdf2 users log in.
 * (b) Hashing is scheduled fairly: a realm whose user sits at the maximum allowed cost and is
 * hammered concurrently does not hold up another realm's logins, argon2 memory in flight is
 * capped, and a full queue answers at once (503 `temporarily_unavailable`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { importRealm, ShapeError } from '../../src/admin/index.ts';
import { BUSY, PASSWORD_HASH_LIMITS, PasswordWork, type PasswordHash } from '../../src/crypto/index.ts';
import { newUser } from '../../src/realm/index.ts';
import { FIXTURE_CLIENT, FIXTURE_FILE, FIXTURE_OTP_SECRET, FIXTURE_PASSWORDS } from '../fixtures/generate-keycloak-realm.ts';
import { totp } from '../authn/login-browser.ts';
import { form, testApp, type TestApp } from '../support/app.ts';
import { addUser, passwordGrant, type TokenAnswer } from '../lifetimes/helpers.ts';

interface CredentialRep {
  type: 'password';
  secretData: string;
  credentialData: string;
}

/** A pbkdf2 credential in Keycloak's format; the hash is real only when `password` is given. */
function pbkdf2Credential(iterations: number, algorithm = 'pbkdf2-sha256', password?: string, keyLength = 32): CredentialRep {
  const salt = randomBytes(16);
  const digest = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' }[algorithm]!;
  const value = password === undefined ? randomBytes(keyLength) : pbkdf2Sync(password, salt, iterations, keyLength, digest);
  return {
    type: 'password',
    secretData: JSON.stringify({ value: value.toString('base64'), salt: salt.toString('base64'), additionalParameters: {} }),
    credentialData: JSON.stringify({ hashIterations: iterations, algorithm, additionalParameters: {} }),
  };
}

/** An argon2id credential in Keycloak's format with a made-up hash (never computed). */
function argon2Credential(params: { memory?: number; iterations?: number; parallelism?: number; hashLength?: number }): CredentialRep {
  const { memory = 7168, iterations = 5, parallelism = 1, hashLength = 32 } = params;
  return {
    type: 'password',
    secretData: JSON.stringify({ value: randomBytes(hashLength).toString('base64'), salt: randomBytes(16).toString('base64'), additionalParameters: {} }),
    credentialData: JSON.stringify({
      hashIterations: iterations,
      algorithm: 'argon2',
      additionalParameters: { hashLength: [String(hashLength)], memory: [String(memory)], type: ['id'], version: ['1.3'], parallelism: [String(parallelism)] },
    }),
  };
}

const asStored = (rep: CredentialRep): PasswordHash => ({ credentialData: JSON.parse(rep.credentialData), secretData: JSON.parse(rep.secretData) });

const fixture = () => JSON.parse(fs.readFileSync(FIXTURE_FILE, 'utf8'));

describe('credential bounds and fair hashing', () => {
  let t: TestApp;
  let token: string;
  const admin = async (method: 'GET' | 'POST' | 'PUT', path: string, payload?: unknown) => {
    const response = await t.app.inject({ method, url: `/admin/realms${path}`, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: response.statusCode, body: response.body === '' ? '' : response.json() };
  };
  const shopLogin = async (username: string, password: string): Promise<TokenAnswer> => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/realms/shop/protocol/openid-connect/token',
      // carol has the fixture's OTP credential: as in Keycloak, her password grant needs its code.
      ...form({ grant_type: 'password', client_id: FIXTURE_CLIENT.clientId, client_secret: FIXTURE_CLIENT.secret, username, password, ...(username === 'carol' ? { totp: totp(Buffer.from(FIXTURE_OTP_SECRET, 'utf8'), t.clock.nowMs()) } : {}) }),
    });
    return { status: response.statusCode, body: response.json() };
  };

  before(async () => {
    t = await testApp();
    const response = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
    token = response.json().access_token;
  });
  after(() => t.close());

  describe('(a) bounds at the edge', () => {
    it('refuses a user created with 30,000,000 pbkdf2 iterations, naming the field, and creates nothing', async () => {
      const response = await admin('POST', '/demo/users', { username: 'greedy', enabled: true, credentials: [pbkdf2Credential(30_000_000)] });
      assert.deepEqual(response, {
        status: 400,
        body: {
          field: 'credentials[0].credentialData.hashIterations',
          errorMessage: "credentials[0].credentialData.hashIterations: 30000000 exceeds holdfast's limit of 2000000 pbkdf2 iterations",
          params: [],
        },
      });
      assert.deepEqual((await admin('GET', '/demo/users?username=greedy&exact=true')).body, []);
    });

    it('refuses 256 MiB of argon2 memory (and every other argon2 parameter over its bound) on update; the old password still works', async () => {
      const userId = await addUser(t, 'steady', 'old-password');
      const cases: Array<[CredentialRep, string]> = [
        [argon2Credential({ memory: 262_144 }), "credentialData.additionalParameters.memory: 262144 exceeds holdfast's limit of 65536 KiB of argon2 memory"],
        [argon2Credential({ iterations: 1000 }), "credentialData.hashIterations: 1000 exceeds holdfast's limit of 10 argon2 iterations"],
        [argon2Credential({ parallelism: 64, memory: 65_536 }), "credentialData.additionalParameters.parallelism: 64 exceeds holdfast's limit of 4 argon2 lanes"],
        [argon2Credential({ hashLength: 4096 }), "credentialData.additionalParameters.hashLength: 4096 exceeds holdfast's limit of 64 bytes of argon2 hash"],
        [argon2Credential({ parallelism: 4, memory: 16 }), 'credentialData.additionalParameters.memory: must be an integer of at least 32'],
        [pbkdf2Credential(600_000, 'pbkdf2-sha256', undefined, 1000), "secretData.value: a 1000-byte pbkdf2 hash exceeds holdfast's limit of 64 bytes"],
      ];
      for (const [credential, message] of cases) {
        const response = await admin('PUT', `/demo/users/${userId}`, { credentials: [credential] });
        assert.equal(response.status, 400, message);
        assert.equal(response.body.errorMessage, `credentials[0].${message}`);
      }
      assert.equal((await passwordGrant(t, 'steady', 'old-password')).status, 200, 'the old password is untouched');
    });

    it('refuses hash fields in reset-password, which only sets a clear-text value', async () => {
      const userId = await addUser(t, 'resetting', 'old-password');
      const response = await admin('PUT', `/demo/users/${userId}/reset-password`, { ...pbkdf2Credential(30_000_000), value: 'new-password' });
      assert.equal(response.status, 400);
      assert.equal(response.body.errorMessage, 'secretData: not accepted by reset-password (it sets a clear-text value)');
      assert.equal((await passwordGrant(t, 'resetting', 'old-password')).status, 200);
    });

    it('refuses a realm file with such a credential, through POST /admin/realms and the CLI import, and writes nothing', async () => {
      const greedy = fixture();
      const alice = greedy.users.findIndex((u: { username: string }) => u.username === 'alice');
      greedy.users[alice].credentials[0] = argon2Credential({ memory: 262_144 });
      const path = `users[${alice}].credentials[0].credentialData.additionalParameters.memory`;

      const response = await admin('POST', '', greedy);
      assert.equal(response.status, 400);
      assert.equal(response.body.errorMessage, `${path}: 262144 exceeds holdfast's limit of 65536 KiB of argon2 memory`);
      assert.equal(response.body.field, path);

      // The function `holdfast import` runs, on the same repository.
      greedy.users[alice].credentials[0] = pbkdf2Credential(30_000_000, 'pbkdf2');
      await assert.rejects(
        importRealm(t.ctx.realms.repository, greedy, { nowMs: t.clock.nowMs() }),
        (error: unknown) => error instanceof ShapeError && error.message === `users[${alice}].credentials[0].credentialData.hashIterations: 30000000 exceeds holdfast's limit of 2000000 pbkdf2 iterations`,
      );
      assert.equal(await t.ctx.realms.repository.findRealmByName('shop'), undefined);
    });

    it('a credential over the bounds stored before they existed never verifies, and costs no hashing', async () => {
      const realm = (await t.ctx.realms.repository.findRealmByName('demo'))!;
      const user = newUser(realm.id, { username: 'legacy' }, t.clock.nowMs());
      const legacy = pbkdf2Credential(30_000_000);
      await t.ctx.realms.repository.createUser(user, [realm.settings.attributes.defaultRoleId], { id: 'legacy', createdDate: t.clock.nowMs(), ...asStored(legacy) });
      const answer = await passwordGrant(t, 'legacy', 'anything');
      assert.deepEqual([answer.status, answer.body.error_description], [401, 'Invalid user credentials']);
    });

    it('still imports the Keycloak 26 fixture; its argon2 and pbkdf2 users log in', async () => {
      const response = await admin('POST', '', fixture());
      assert.equal(response.status, 201, JSON.stringify(response.body));
      for (const [username, password] of Object.entries(FIXTURE_PASSWORDS)) {
        assert.equal((await shopLogin(username, password)).status, 200, username);
      }
    });
  });

  describe('(b) fair hashing', () => {
    it("a hammered user at the maximum allowed cost in one realm does not hold up another realm's login", async () => {
      // The costliest credential the bounds allow: pbkdf2-sha1 (four SHA-1 blocks per 64-byte key) at
      // the iteration limit. The hash is made up: every guess is wrong, and costs the full work.
      const max = pbkdf2Credential(PASSWORD_HASH_LIMITS.pbkdf2MaxIterations, 'pbkdf2', undefined, PASSWORD_HASH_LIMITS.pbkdf2MaxKeyBytes);
      const realm = (await t.ctx.realms.repository.findRealmByName('demo'))!;
      const user = newUser(realm.id, { username: 'slow' }, t.clock.nowMs());
      await t.ctx.realms.repository.createUser(user, [realm.settings.attributes.defaultRoleId], { id: 'slow', createdDate: t.clock.nowMs(), ...asStored(max) });

      const finished: string[] = [];
      const { perRealmConcurrency } = t.ctx.passwords.limits;
      // As many as libuv has threads: unscheduled, they would occupy every one of them.
      const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
      const hammer = Array.from({ length: threads }, (_, i) =>
        passwordGrant(t, 'slow', `guess-${i}`).then((answer) => {
          finished.push(`demo:${answer.status}`);
          return answer;
        }),
      );
      // Wait (bounded) until the hammering holds every thread its realm may have, the rest queued behind.
      const queued = threads - perRealmConcurrency;
      for (let round = 0; round < 500 && t.ctx.passwords.load().waiting < queued; round += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(t.ctx.passwords.load(), { running: perRealmConcurrency, waiting: queued }, "the slow realm's verifications");

      const other = await shopLogin('alice', FIXTURE_PASSWORDS.alice);
      finished.push(`shop:${other.status}`);
      const answers = await Promise.all(hammer);
      assert.equal(finished[0], 'shop:200', `the other realm's login came first: ${finished.join(', ')}`);
      for (const answer of answers) assert.deepEqual([answer.status, answer.body.error_description], [401, 'Invalid user credentials'], 'the slow realm is still answered');
    });

    it('a full queue answers the password grant with 503 temporarily_unavailable at once', async () => {
      const realm = (await t.ctx.realms.repository.findRealmByName('demo'))!;
      const user = newUser(realm.id, { username: 'queued' }, t.clock.nowMs());
      const slow = pbkdf2Credential(PASSWORD_HASH_LIMITS.pbkdf2MaxIterations, 'pbkdf2-sha256');
      await t.ctx.realms.repository.createUser(user, [realm.settings.attributes.defaultRoleId], { id: 'queued', createdDate: t.clock.nowMs(), ...asStored(slow) });
      const original = t.ctx.passwords;
      // One verification at a time for the realm, one waiting: the third concurrent login finds the queue full.
      t.ctx.passwords = new PasswordWork({ concurrency: 2, perRealmConcurrency: 1, perRealmQueue: 1, argon2MemoryKiB: 131_072 });
      try {
        const grant = form({ grant_type: 'password', username: 'queued', password: 'some-guess', client_id: 'demo-service', client_secret: 'demo-service-secret' });
        const answers = await Promise.all(Array.from({ length: 3 }, () => t.app.inject({ method: 'POST', url: '/realms/demo/protocol/openid-connect/token', ...grant })));
        const refused = answers.filter((a) => a.statusCode === 503);
        assert.equal(refused.length, 1, answers.map((a) => a.statusCode).join(','));
        assert.deepEqual(refused[0].json(), { error: 'temporarily_unavailable', error_description: 'Too many logins in progress, try again shortly' });
        assert.equal(refused[0].headers['retry-after'], '1');
        assert.equal(answers.filter((a) => a.statusCode === 401).length, 2, 'the others are checked');
      } finally {
        t.ctx.passwords = original;
      }
    });

    it('caps argon2 memory in flight and refuses past a full queue, at once', async () => {
      const work = new PasswordWork({ concurrency: 3, perRealmConcurrency: 2, perRealmQueue: 2, argon2MemoryKiB: 2 * 65_536 });
      // Not real hashes: each verification runs argon2 at the full 64 MiB, and fails.
      const big = asStored(argon2Credential({ memory: 65_536, iterations: 1 }));
      const running = [work.verify('a', 'x', big), work.verify('a', 'x', big)];
      const waiting = [work.verify('b', 'x', big), work.verify('b', 'x', big), work.verify('a', 'x', big), work.verify('a', 'x', big)];
      assert.deepEqual(work.load(), { running: 2, waiting: 4 }, 'two 64 MiB hashes fill the memory budget; a third thread stays idle');
      assert.equal(await work.verify('a', 'x', big), BUSY, "a's queue holds two");
      assert.deepEqual(await Promise.all([...running, ...waiting]), Array(6).fill(false));
      assert.deepEqual(work.load(), { running: 0, waiting: 0 });
    });
  });
});
