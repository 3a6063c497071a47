/**
 * Security issue #11, item 5: anonymous requests cannot make the server store or send back much.
 * Over-long authorization and logout parameters are refused (400 page, Keycloak's fail-fast
 * message) and leave no row; a flood of anonymous logins from one network leaves at most the
 * per-origin bound of authentication-session rows, of bounded size; the overall bound holds for a
 * flood from many networks; `KC_RESTART` stays within a browser's cookie limit; a real login
 * still completes during and after the flood, and a login evicted by it restarts from
 * `KC_RESTART`. The rows are counted in the SQLite file itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, form, testApp, type TestApp } from '../support/app.ts';
import { tempDir } from '../support/process.ts';
import { DEFAULTS } from '../../src/config/index.ts';
import { MAX_AUTH_SESSION_BYTES, MAX_RESTART_COOKIE_BYTES } from '../../src/oidc/login/auth-session.ts';

const VERIFIER = randomBytes(32).toString('base64url');
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const REDIRECT = 'http://localhost:3000/cb';
const AUTH_QUERY = { client_id: 'demo-app', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', code_challenge: CHALLENGE, code_challenge_method: 'S256' };
const PER_ORIGIN = DEFAULTS.authSessionLimits.perOrigin;

/** A cookie jar over inject responses. */
class Jar {
  readonly cookies = new Map<string, string>();
  store(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
      if (cookie.value === '' || cookie.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const text = (html: string): string => html.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));
const setCookies = (response: LightMyRequestResponse): string[] => {
  const header = response.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
};

describe('storage amplification', () => {
  const dataDir = tempDir();
  let t: TestApp;
  let db: SQLite.Database;
  const rows = () => db.prepare('SELECT count(*) AS n, coalesce(sum(length(CAST(tabs AS BLOB))), 0) AS bytes, coalesce(max(length(CAST(tabs AS BLOB))), 0) AS largest FROM auth_session').get() as { n: number; bytes: number; largest: number };

  before(async () => {
    t = await testApp({ dataDir });
    db = new SQLite(path.join(dataDir, 'holdfast.db'), { readonly: true });
  });
  after(async () => {
    db.close();
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const authorize = async (jar: Jar, extra: Record<string, string> = {}, options: { method?: 'GET' | 'POST'; remoteAddress?: string } = {}) => {
    const params = { ...AUTH_QUERY, ...extra };
    const response =
      options.method === 'POST'
        ? await t.app.inject({ method: 'POST', url: `${DEMO}/auth`, ...form(params), headers: { ...form(params).headers, cookie: jar.header() }, remoteAddress: options.remoteAddress })
        : await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${new URLSearchParams(params)}`, headers: { cookie: jar.header() }, remoteAddress: options.remoteAddress });
    jar.store(response);
    return response;
  };
  const submit = async (jar: Jar, page: LightMyRequestResponse, remoteAddress?: string) => {
    const raw = text(page.body.match(/id="kc-form-login" method="post" action="([^"]+)"/)![1]);
    const url = new URL(raw);
    const fields = { username: 'alice', password: 'alice' };
    const response = await t.app.inject({ method: 'POST', url: url.pathname + url.search, ...form(fields), headers: { ...form(fields).headers, cookie: jar.header() }, remoteAddress });
    jar.store(response);
    return response;
  };
  /** Redeems the code of a login's redirect: the login really completed. */
  const redeem = async (redirect: LightMyRequestResponse) => {
    assert.equal(redirect.statusCode, 302, redirect.body);
    const code = new URL(redirect.headers.location as string).searchParams.get('code');
    assert.ok(code, String(redirect.headers.location));
    const tokens = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'demo-app', code_verifier: VERIFIER }) });
    assert.equal(tokens.statusCode, 200, tokens.body);
  };

  it('refuses every over-long authorization parameter with a 400 page, and stores nothing', async () => {
    const before = rows();
    const cases: Array<[string, number]> = [
      ['state', 4000],
      ['nonce', 4000],
      ['prompt', 4000],
      ['scope', 4000],
      ['redirect_uri', 4000],
      ['response_mode', 4000],
      ['code_challenge', 4000],
      ['ui_locales', 4000],
      ['claims', 4000],
      ['acr_values', 4000],
      ['kc_idp_hint', 4000],
      ['login_hint', 255],
    ];
    for (const [name, max] of cases) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await authorize(new Jar(), { [name]: 'x'.repeat(max + 1) }, { method });
        assert.equal(response.statusCode, 400, `${method} ${name}`);
        assert.match(response.headers['content-type'] as string, /text\/html/);
        assert.match(text(response.body), new RegExp(`The size of OIDC parameter '${name}' is longer than allowed\\.`), `${method} ${name}`);
        assert.equal(response.headers.location, undefined);
        assert.deepEqual(setCookies(response), [], `${method} ${name}`);
      }
    }
    // The attack of the report: a 62 KB prompt.
    const huge = await authorize(new Jar(), { prompt: 'login '.repeat(10_500) }, { method: 'POST' });
    assert.equal(huge.statusCode, 400);
    // Within every bound, yet a tab whose stored form alone passes the row bound (control
    // characters take six bytes in JSON): Keycloak's answer to a request it cannot take.
    const escaped = '\u0001'.repeat(4000);
    const oversizedTab = await authorize(new Jar(), { state: escaped, nonce: escaped, prompt: escaped }, { method: 'POST' });
    assert.equal(oversizedTab.statusCode, 400);
    assert.match(text(oversizedTab.body), /Invalid Request/);
    assert.deepEqual(setCookies(oversizedTab), []);
    assert.deepEqual(rows(), before);

    // At the bound the request is served.
    const atBound = await authorize(new Jar(), { state: 's'.repeat(4000), login_hint: 'h'.repeat(255) });
    assert.equal(atBound.statusCode, 200);
    assert.equal(rows().n, before.n + 1);
  });

  it('refuses over-long logout parameters, which the confirmation would carry back', async () => {
    for (const [name, value] of [
      ['state', 'x'.repeat(4001)],
      ['post_logout_redirect_uri', `http://localhost:3000/${'x'.repeat(4000)}`],
      ['id_token_hint', 'x'.repeat(20_001)],
    ]) {
      const response = await t.app.inject({ method: 'POST', url: `${DEMO}/logout`, ...form({ client_id: 'demo-app', [name]: value }) });
      assert.equal(response.statusCode, 400, name);
      assert.match(text(response.body), new RegExp(`The size of OIDC parameter '${name}' is longer than allowed\\.`));
    }
  });

  it('keeps KC_RESTART within a browser cookie, and still sends it for ordinary logins', async () => {
    const ordinary = await authorize(new Jar(), { state: randomBytes(16).toString('hex'), nonce: randomBytes(16).toString('hex') });
    const restart = setCookies(ordinary).find((c) => c.startsWith('KC_RESTART='));
    assert.ok(restart, 'an ordinary login gets KC_RESTART');
    assert.ok(restart!.split(';')[0].length <= MAX_RESTART_COOKIE_BYTES);

    const large = await authorize(new Jar(), { state: 's'.repeat(4000), nonce: 'n'.repeat(4000), prompt: 'login' });
    assert.equal(large.statusCode, 200);
    assert.equal(setCookies(large).find((c) => c.startsWith('KC_RESTART=')), undefined);
    for (const cookie of setCookies(large)) assert.ok(cookie.length <= 4096, cookie.slice(0, 40));
  });

  it('bounds the tabs a browser keeps in its one authentication session', async () => {
    const jar = new Jar();
    const first = await authorize(jar);
    const id = jar.cookies.get('AUTH_SESSION_ID')!.split('.')[0];
    for (let i = 0; i < 60; i++) assert.equal((await authorize(jar, { state: 's'.repeat(4000), nonce: 'n'.repeat(4000) })).statusCode, 200);
    assert.equal(jar.cookies.get('AUTH_SESSION_ID')!.split('.')[0], id, 'the browser keeps its session');
    const row = db.prepare('SELECT tabs FROM auth_session WHERE id = ?').get(id) as { tabs: string };
    assert.ok(Buffer.byteLength(row.tabs) <= MAX_AUTH_SESSION_BYTES);
    assert.ok(Object.keys(JSON.parse(row.tabs)).length <= 16);
    // Its oldest tab gave way (and the large requests' KC_RESTART did not fit, so none replaced it):
    // Keycloak's answer for a lost login; its newest tab still logs in.
    const lost = await submit(jar, first);
    assert.equal(lost.statusCode, 400);
    assert.match(text(lost.body), /Your login attempt timed out\. Login will start from the beginning\./);
    await redeem(await submit(jar, await authorize(jar)));
  });

  it('1,000 anonymous logins from one address leave at most the per-origin bound of rows; real logins keep working', async () => {
    // A user of the same network opened the form before the flood; one of another network too.
    const sameNetwork = new Jar();
    const sameNetworkPage = await authorize(sameNetwork);
    const otherNetwork = new Jar();
    const otherNetworkPage = await authorize(otherNetwork, {}, { remoteAddress: '10.9.8.7' });
    const before = rows();

    const flood = { state: 's'.repeat(4000), nonce: 'n'.repeat(4000), prompt: 'login', login_hint: 'h'.repeat(255) };
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => authorize(new Jar(), flood, { method: 'POST' })));
      for (const response of responses) {
        assert.equal(response.statusCode, 200);
        for (const cookie of setCookies(response)) assert.ok(cookie.length <= 4096);
      }
    }
    const after = rows();
    assert.ok(after.n <= before.n + PER_ORIGIN, `${after.n} rows`);
    assert.ok(after.bytes - before.bytes <= PER_ORIGIN * MAX_AUTH_SESSION_BYTES, `${after.bytes} bytes`);
    // Each flood row holds one tab of about 8 KB: far from the row bound, and 100 rows ≈ 1 MB.
    assert.ok(after.bytes <= 2 * 1024 * 1024, `${after.bytes} bytes`);

    // The other network's login was untouched.
    await redeem(await submit(otherNetwork, otherNetworkPage, '10.9.8.7'));
    // The same network's pending login was evicted: its browser restarts from KC_RESTART.
    const restarted = await submit(sameNetwork, sameNetworkPage);
    assert.equal(restarted.statusCode, 200);
    assert.match(text(restarted.body), /Your login attempt timed out\. Login will start from the beginning\./);
    await redeem(await submit(sameNetwork, restarted));
    // A browser arriving after the flood logs in at once.
    const fresh = new Jar();
    await redeem(await submit(fresh, await authorize(fresh)));

    // The store is consistent: every row reads back, has an origin, and holds bounded tabs.
    for (const row of db.prepare('SELECT id, origin, tabs, expires_at FROM auth_session').all() as Array<{ id: string; origin: string; tabs: string; expires_at: number }>) {
      const stored = await t.ctx.store.getAuthSession(row.id);
      assert.ok(stored && stored.origin === row.origin && row.origin.length > 0);
      assert.ok(Object.keys(stored.tabs).length >= 1 && Object.keys(stored.tabs).length <= 16);
    }
    assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
  });

  it('counts an IPv6 client by its /64', async () => {
    const before = rows().n;
    for (let i = 0; i < 3 * PER_ORIGIN; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => authorize(new Jar(), {}, { remoteAddress: `2001:db8:7:7:${(i + j).toString(16)}::1` })));
    }
    assert.ok(rows().n <= before + PER_ORIGIN, `${rows().n - before} new rows`);
  });
});

describe('storage amplification: the overall bound', () => {
  it('holds for a flood from many networks', async () => {
    const dataDir = tempDir();
    const t = await testApp({ dataDir, authSessionLimits: { perOrigin: 100, total: 50 } });
    const db = new SQLite(path.join(dataDir, 'holdfast.db'), { readonly: true });
    try {
      for (let i = 0; i < 200; i += 50) {
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, j) => t.app.inject({ method: 'GET', url: `${DEMO}/auth?${new URLSearchParams(AUTH_QUERY)}`, remoteAddress: `10.1.${i}.${j}` })),
        );
        for (const response of responses) assert.equal(response.statusCode, 200);
      }
      assert.equal((db.prepare('SELECT count(*) AS n FROM auth_session').get() as { n: number }).n, 50);
    } finally {
      db.close();
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
