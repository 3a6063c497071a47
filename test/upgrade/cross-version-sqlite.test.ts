/**
 * Upgrading the embedded store across releases (issue #17.1): the previous release (a fixed
 * commit, checked out by earlier-release.ts) serves a data directory and logs users in, some of
 * whom log out; it stops and this release starts on the same directory. Every session still
 * refreshes, browser sessions still log in by SSO cookie, access tokens issued before still work,
 * and the sessions logged out stay out. Once with sessions in the data directory, once with
 * sessions in Redis (the shared server, under a key prefix of its own).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { sqliteFile } from '../../src/store/sql/index.ts';
import { migrations } from '../../src/store/sql/migrations/index.ts';
import crypto from 'node:crypto';
import { CookieJar, get } from '../support/browser.ts';
import { deleteRedisKeys } from '../support/redis-keys.ts';
import { checkOutEarlierRelease, commitMissing, type EarlierRelease } from '../support/earlier-release.ts';
import { authorizationRequest, codeThroughLogin, inBatches, logoutWithRefreshToken, passwordGrant, redeemCode, refresh } from '../support/oidc-requests.ts';
import { startHoldfast, tempDir } from '../support/process.ts';

/** The last commit before migration 023-session-notes: the release this one upgrades from. */
const PREVIOUS_RELEASE = '23bfa7a';
const SESSIONS = 30;
const REDIS_URL = 'redis://127.0.0.1:6379';
const LOGGED_OUT = 6;
const BROWSERS = 3;

function migrationsIn(dataDir: string): string[] {
  const db = new Database(sqliteFile(dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
}

const missing = commitMissing(PREVIOUS_RELEASE);

describe('upgrade from the previous release on one data directory', { skip: missing }, () => {
  let release: EarlierRelease;
  const dataDirs: string[] = [];
  const redisPrefix = `upgrade-${crypto.randomBytes(4).toString('hex')}:`;
  before(() => {
    release = checkOutEarlierRelease(PREVIOUS_RELEASE);
  });
  after(async () => {
    release?.remove();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    await deleteRedisKeys(REDIS_URL, redisPrefix);
  });

  it('keeps every session, and every logout', () => upgradeKeepsSessions([]));
  it('keeps every session in Redis, and every logout (old and new node on one keyspace)', () =>
    upgradeKeepsSessions(['--sessions', 'redis', '--sessions-url', REDIS_URL, '--sessions-key-prefix', redisPrefix]));

  async function upgradeKeepsSessions(args: string[]): Promise<void> {
    const dataDir = tempDir('holdfast-upgrade-');
    dataDirs.push(dataDir);
    const old = await startHoldfast({ dataDir, root: release.root, args });
    let tokens: Array<{ refresh_token: string; access_token: string }>;
    const browsers: CookieJar[] = [];
    try {
      tokens = await inBatches(Array.from({ length: SESSIONS }), 5, async () => {
        const grant = await passwordGrant(old.url);
        assert.equal(grant.status, 200, JSON.stringify(grant.body));
        return grant.body;
      });
      for (let i = 0; i < BROWSERS; i += 1) {
        const jar = new CookieJar();
        const redeemed = await redeemCode(old.url, await codeThroughLogin(old.url, jar));
        assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
        browsers.push(jar);
      }
      for (const token of tokens.slice(0, LOGGED_OUT)) assert.equal(await logoutWithRefreshToken(old.url, token.refresh_token), 204);
    } finally {
      assert.equal(await old.stop(), 0, old.output());
    }

    assert.deepEqual(migrationsIn(dataDir).slice(-1), ['022-identity-providers'], 'the previous release wrote this directory');
    // The same address: tokens name their issuer, which start-dev takes from the request.
    const current = await startHoldfast({ dataDir, port: old.port, args });
    try {
      const refreshed = await inBatches(tokens, 5, (token) => refresh(current.url, token.refresh_token));
      const statuses = refreshed.map((r) => r.status);
      assert.deepEqual(statuses.slice(0, LOGGED_OUT), new Array(LOGGED_OUT).fill(400), 'logged-out sessions stay out');
      for (const r of refreshed.slice(0, LOGGED_OUT)) assert.equal(r.body.error, 'invalid_grant');
      assert.deepEqual(statuses.slice(LOGGED_OUT), new Array(SESSIONS - LOGGED_OUT).fill(200), 'every live session refreshes');
      // An access token the previous release signed is still accepted: the keys carried over.
      const userinfo = await fetch(`${current.url}/realms/demo/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${tokens[LOGGED_OUT].access_token}` } });
      assert.equal(userinfo.status, 200);
      // A browser logged in on the previous release gets a code without the login form.
      for (const jar of browsers) {
        const answer = await get(authorizationRequest(current.url).url, jar);
        assert.equal(answer.status, 302, 'the SSO cookie session survived');
        assert.ok(new URL(answer.headers.get('location')!).searchParams.get('code'));
      }
      assert.deepEqual(migrationsIn(dataDir), Object.keys(migrations), 'this release applied every migration it has');
      console.log(`upgrade ${PREVIOUS_RELEASE} → current${args.length > 0 ? ' (sessions in Redis)' : ''}: ${SESSIONS - LOGGED_OUT} sessions refreshed, ${LOGGED_OUT} logged out stayed out, ${BROWSERS} SSO sessions kept`);
    } finally {
      assert.equal(await current.stop(), 0, current.output());
    }
  }
});
