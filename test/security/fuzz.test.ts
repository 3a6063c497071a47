/**
 * Issue #11, fuzzing: property-based requests (fast-check, fixed seed) against every public
 * endpoint — OIDC endpoints, login and logout forms, iframes, health, the admin API and realm
 * import — with generated parameters, duplicated parameters, headers, cookies, bodies of every
 * media type, forged and mutated tokens, over-long and non-ASCII values. The property: no answer
 * is a 5xx, none carries a stack trace or a framework error code, and no promise is left
 * rejected. Afterwards the store is consistent: no client session without its user session, no
 * code without its session, no authentication session over its size bound.
 *
 * The requests go through `app.inject` (no sockets) on a file SQLite store with a manual clock, so
 * a token obtained at the start stays valid for the whole run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { tempDir } from '../support/process.ts';
import type { InjectOptions, LightMyRequestResponse as Injected } from 'fastify';
import { DEMO, DEMO_APP_AUTH_QUERY, form, testApp, type TestApp } from '../support/app.ts';

const SEED = 20261201;
const REALM_FIXTURE = JSON.parse(fs.readFileSync(new URL('../fixtures/keycloak-realm.json', import.meta.url), 'utf8'));


describe('fuzz: generated requests against every public endpoint', () => {
  let hf: TestApp;
  let dataDir: string;
  let sent = 0;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  /** Real values the generators mix in, so requests get past the first checks. */
  const known = { tokens: [] as string[], adminToken: '', loginAction: '', cookies: '', ids: [] as string[] };

  /** Failures by kind (endpoint, status), with one short example each: a run reports them all. */
  const failures = new Map<string, string>();

  function check(request: string, response: Injected): void {
    sent += 1;
    const body = response.body;
    const leak = /FST_|ERR_[A-Z_]{4,}|\n\s+at .+:\d+:\d+|node_modules/.test(body);
    if (response.statusCode < 500 && !leak) return;
    const kind = `${request.split('?')[0].replace(/\/[0-9a-f-]{36}/g, '/:id')} → ${response.statusCode}${leak ? ' (leaks internals)' : ''}`;
    if (!failures.has(kind)) failures.set(kind, `${request.slice(0, 300)} → ${body.slice(0, 300)}`);
  }

  function assertNoFailures(): void {
    const report = [...failures].map(([kind, example]) => `${kind}\n    e.g. ${example}`);
    failures.clear();
    assert.deepEqual(report, [], `${report.length} kinds of failure:\n${report.slice(0, 15).join('\n')}`);
  }

  async function send(options: InjectOptions & { method: string; url: string }, to: 'public' | 'management' = 'public'): Promise<Injected> {
    const response = await (to === 'public' ? hf.app : hf.management).inject(options);
    check(`${options.method} ${options.url.slice(0, 200)}`, response);
    return response;
  }

  before(async () => {
    process.on('unhandledRejection', onRejection);
    dataDir = tempDir('holdfast-fuzz-');
    hf = await testApp({ dataDir, logLevel: (process.env.FUZZ_LOG_LEVEL as never) ?? 'silent' });
    const password = await send({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password: 'alice', scope: 'openid offline_access' }) });
    const tokens = password.json();
    known.tokens.push(tokens.access_token, tokens.refresh_token, tokens.id_token);
    const admin = await send({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
    known.adminToken = admin.json().access_token;
    known.tokens.push(known.adminToken);
    const page = await send({ method: 'GET', url: `${DEMO}/auth?${DEMO_APP_AUTH_QUERY}` });
    known.loginAction = (/action="([^"]+)"/.exec(page.body)?.[1] ?? '').replaceAll('&amp;', '&').replace(/^https?:\/\/[^/]+/, '');
    known.cookies = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const demo = (await hf.ctx.realms.getRealm('demo'))!;
    known.ids.push(...demo.clientsById.keys(), ...[...demo.rolesById.keys()].slice(0, 5), demo.realm.id);
    const alice = await hf.ctx.realms.repository.findUserByUsername(demo.realm.id, 'alice');
    known.ids.push(alice!.id);
    // The device grant on for demo-app, so that its requests get past the first check.
    const demoApp = [...demo.clientsById.values()].find((c) => c.clientId === 'demo-app')!;
    const enabled = await send({ method: 'PUT', url: `/admin/realms/demo/clients/${demoApp.id}`, headers: { authorization: `Bearer ${known.adminToken}` }, payload: { attributes: { ...demoApp.attributes, 'oauth2.device.authorization.grant.enabled': 'true' } } });
    assert.equal(enabled.statusCode, 204, enabled.body);
  });

  after(async () => {
    process.off('unhandledRejection', onRejection);
    await hf?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // ---- value generators ------------------------------------------------------------------------

  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  const mutate = (token: string, at: number, char: string) => (token === '' ? char : token.slice(0, at % token.length) + char + token.slice((at % token.length) + 1));
  const tokenValue = () =>
    fc.oneof(
      fc.constantFrom(...known.tokens),
      fc.tuple(fc.constantFrom(...known.tokens), fc.nat(), fc.constantFrom('A', '.', '-', '_', '=', ' ', '%')).map(([t, at, c]) => mutate(t, at, c)),
      fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 20 })).map(([h, p, s]) => `${b64(JSON.stringify(h) ?? '')}.${b64(JSON.stringify(p) ?? '')}.${s}`),
      fc.constantFrom('null.null.null', `${b64('null')}.${b64('{}')}.x`, `${b64('{"alg":"none"}')}.${b64('{"sub":"x"}')}.`, `${b64('{"alg":"HS256","kid":1}')}.${b64('[]')}.AA`, '..', '.'),
      fc.tuple(fc.constantFrom(...known.tokens), fc.constantFrom(...known.tokens)).map(([a, b]) => a.split('.').slice(0, 2).join('.') + '.' + (b.split('.')[2] ?? '')),
    );
  const nasty = fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\r\n',
    '\t',
    'null',
    '[]',
    '{}',
    '%00',
    '%zz',
    '..',
    '../../etc/passwd',
    'javascript:alert(1)',
    'http://localhost:3000\\@evil.com/',
    'http://localhost:3000/\u0007',
    'http://localhost:3000/é',
    'http://localhost:3000/\u2028',
    'http://localhost:3000/#frag',
    'HTTP://LOCALHOST:3000/',
    '//evil.com',
    'http:/\\evil.com',
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    '\uD800',
    '\uFEFF',
    '-1',
    '99999999999999999999',
    'NaN',
    'true',
  );
  const huge = fc.integer({ min: 1_000, max: 80_000 }).map((n) => 'x'.repeat(n));
  const realValue = fc.constantFrom(
    'demo-app',
    'demo-service',
    'demo-service-secret',
    'admin-cli',
    'account',
    'alice',
    'http://localhost:3000/',
    'openid',
    'openid offline_access',
    'code',
    'S256',
    'plain',
    'login',
    'none',
    'consent',
    'query',
    'fragment',
    'form_post',
    'authorization_code',
    'refresh_token',
    'password',
    'client_credentials',
    'urn:ietf:params:oauth:grant-type:device_code',
    'access_token',
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuJJRbV0Ys0',
    'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  );
  const value = () =>
    fc.oneof(
      { weight: 4, arbitrary: realValue },
      { weight: 3, arbitrary: nasty },
      { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
      { weight: 2, arbitrary: tokenValue() },
      { weight: 1, arbitrary: fc.constantFrom(...known.ids) },
      { weight: 1, arbitrary: huge },
    );
  const PARAMS = [
    'client_id', 'client_secret', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'prompt', 'max_age',
    'login_hint', 'ui_locales', 'claims', 'acr_values', 'code_challenge', 'code_challenge_method', 'code', 'code_verifier', 'grant_type',
    'refresh_token', 'username', 'password', 'token', 'token_type_hint', 'id_token_hint', 'post_logout_redirect_uri', 'session_code',
    'execution', 'tab_id', 'rememberMe', 'credentialId', 'kc_idp_hint', 'request', 'request_uri', 'client_assertion',
    'client_assertion_type', 'audience', 'origin', 'logout', 'confirm', 'cancel', 'first', 'max', 'search', 'exact',
    'device_code', 'user_code', 'device_user_code', 'accept',
  ];
  const paramName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...PARAMS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  const params = () => fc.array(fc.tuple(paramName, value()), { maxLength: 10 });
  /** Mostly proper encoding; sometimes raw, so the parser sees broken escapes and stray bytes. */
  const encodeParams = (pairs: Array<[string, string]>, raw: boolean) =>
    pairs.map(([k, v]) => (raw ? `${k}=${v.replace(/[\s#&]/g, '')}` : `${encodeURIComponent(k)}=${encodeURIComponent(toWellFormed(v))}`)).join('&');
  const toWellFormed = (text: string) => text.replace(/[\uD800-\uDFFF]/g, '\uFFFD');
  /** Header values as a socket could carry them: Latin-1 without CR/LF/NUL. */
  const headerSafe = (text: string) => text.replace(/[^\x20-\x7e\x80-\xff\t]/g, '');
  const cookieName = fc.constantFrom('KEYCLOAK_IDENTITY', 'KEYCLOAK_IDENTITY_LEGACY', 'KEYCLOAK_SESSION', 'AUTH_SESSION_ID', 'AUTH_SESSION_ID_LEGACY', 'KC_RESTART', 'KC_AUTH_SESSION_HASH', 'x');
  const cookies = () =>
    fc.oneof(
      fc.constant(undefined),
      fc.constant(known.cookies),
      fc.array(fc.tuple(cookieName, value()), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${headerSafe(v).replace(/;/g, '')}`).join('; ')),
    );
  const authorization = () =>
    fc.oneof(
      fc.constant(undefined),
      tokenValue().map((t) => `Bearer ${t}`),
      fc.tuple(value(), value()).map(([u, p]) => `Basic ${Buffer.from(`${toWellFormed(u)}:${toWellFormed(p)}`).toString('base64')}`),
      fc.constantFrom('Basic', 'Basic !!!', 'Bearer', 'Bearer ', 'Negotiate abc', `Basic ${b64('demo-service:demo-service-secret')}`, `Basic ${b64('nocolon')}`),
    );
  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/xml',
    'garbage',
    undefined,
  );

  const realmName = fc.oneof({ weight: 10, arbitrary: fc.constant('demo') }, { weight: 1, arbitrary: fc.constantFrom('master', 'nope', '%2e%2e', 'd%00emo', 'x'.repeat(300)) });
  const OIDC_PATHS = [
    '/protocol/openid-connect/auth',
    '/protocol/openid-connect/token',
    '/protocol/openid-connect/token/introspect',
    '/protocol/openid-connect/revoke',
    '/protocol/openid-connect/userinfo',
    '/protocol/openid-connect/logout',
    '/protocol/openid-connect/certs',
    '/protocol/openid-connect/3p-cookies/step1.html',
    '/protocol/openid-connect/3p-cookies/step2.html',
    '/protocol/openid-connect/login-status-iframe.html',
    '/protocol/openid-connect/login-status-iframe.html/init',
    '/protocol/openid-connect/auth/device',
    '/device',
    '/device/status',
    '/device/consent',
    '/login-actions/authenticate',
    '/login-actions/logout-confirm',
    '/.well-known/openid-configuration',
    '',
  ];
  const oidcRequest = () =>
    fc.record({
    method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'),
    realm: realmName,
    path: fc.constantFrom(...OIDC_PATHS),
    query: params(),
    rawQuery: fc.boolean(),
    body: fc.oneof(params().map((p) => ({ kind: 'form' as const, p })), fc.jsonValue({ maxDepth: 3 }).map((j) => ({ kind: 'json' as const, j })), fc.string({ maxLength: 200 }).map((s) => ({ kind: 'raw' as const, s }))),
    contentType,
    cookie: cookies(),
    authorization: authorization(),
    origin: fc.constantFrom(undefined, 'http://localhost:3000', 'null', 'https://evil.example'),
    host: fc.constantFrom(undefined, undefined, undefined, 'evil.example', 'localhost:99999', '[::1', ''),
  });

  function requestOptions(r: Record<string, any>, url: string) {
    const headers: Record<string, string> = {};
    if (r.contentType) headers['content-type'] = r.contentType;
    if (r.cookie) headers.cookie = r.cookie;
    if (r.authorization) headers.authorization = headerSafe(r.authorization);
    if (r.origin) headers.origin = r.origin;
    if (r.host !== undefined) headers.host = r.host;
    let payload: string | undefined;
    if (r.method !== 'GET' && r.method !== 'HEAD') {
      payload = r.body.kind === 'form' ? encodeParams(r.body.p, r.rawQuery) : r.body.kind === 'json' ? JSON.stringify(r.body.j) : r.body.s;
    }
    return { method: r.method, url, headers, payload };
  }

  it('OIDC, login, logout and iframe endpoints: 8,000 requests, no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(oidcRequest(), async (r) => {
        const query = r.query.length > 0 ? `?${encodeParams(r.query, r.rawQuery)}` : '';
        await send(requestOptions(r, `/realms/${r.realm}${r.path}${query}`));
      }),
      { seed: SEED, numRuns: 8_000, endOnFailure: true },
    );
    assertNoFailures();
  });

  it('the login form with real cookies and mutated fields: 1,000 requests, no 5xx', async () => {
    const [actionPath, actionQuery] = known.loginAction.split('?');
    const real = new URLSearchParams(actionQuery);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...real.keys(), 'client_id'), value()), { maxLength: 3 }), params(), cookies(), async (overrides, fields, cookie) => {
        const query = new URLSearchParams(real);
        for (const [k, v] of overrides) query.set(k, toWellFormed(v));
        await send({
          method: 'POST',
          url: `${actionPath}?${query}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
          payload: encodeParams(fields, false),
        });
      }),
      { seed: SEED + 1, numRuns: 1_000, endOnFailure: true },
    );
    assertNoFailures();
  });

  it('health, metrics (on both interfaces) and unknown paths: 300 requests, no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/health', '/health/live', '/health/ready', '/health/started', '/metrics', '/', '/realms', '/admin', '/realms/demo/x', '/%zz', '/realms/%E0%A4%A'),
        params(),
        fc.constantFrom('GET', 'POST', 'HEAD'),
        fc.constantFrom('public' as const, 'management' as const),
        async (p, q, method, to) => {
          await send({ method, url: `${p}${q.length > 0 ? `?${encodeParams(q, true)}` : ''}` }, to);
        },
      ),
      { seed: SEED + 2, numRuns: 300, endOnFailure: true },
    );
    assertNoFailures();
  });

  const ADMIN_ROUTES: Array<[string, string]> = [
    ['GET', ''], ['POST', ''], ['GET', '/:realm'], ['PUT', '/:realm'],
    ['GET', '/:realm/users'], ['POST', '/:realm/users'], ['GET', '/:realm/users/count'], ['GET', '/:realm/users/:id'], ['PUT', '/:realm/users/:id'],
    ['DELETE', '/:realm/users/:id'], ['PUT', '/:realm/users/:id/reset-password'], ['GET', '/:realm/users/:id/sessions'], ['POST', '/:realm/users/:id/logout'],
    ['GET', '/:realm/users/:id/offline-sessions/:id'], ['GET', '/:realm/users/:id/role-mappings'], ['GET', '/:realm/users/:id/role-mappings/realm'],
    ['POST', '/:realm/users/:id/role-mappings/realm'], ['DELETE', '/:realm/users/:id/role-mappings/realm'], ['GET', '/:realm/users/:id/role-mappings/realm/available'],
    ['GET', '/:realm/users/:id/role-mappings/realm/composite'], ['POST', '/:realm/users/:id/role-mappings/clients/:id'], ['GET', '/:realm/clients'],
    ['POST', '/:realm/clients'], ['GET', '/:realm/clients/:id'], ['PUT', '/:realm/clients/:id'], ['DELETE', '/:realm/clients/:id'],
    ['GET', '/:realm/clients/:id/client-secret'], ['POST', '/:realm/clients/:id/client-secret'], ['GET', '/:realm/clients/:id/service-account-user'],
    ['GET', '/:realm/clients/:id/user-sessions'], ['GET', '/:realm/clients/:id/offline-sessions'], ['GET', '/:realm/clients/:id/session-count'],
    ['GET', '/:realm/clients/:id/roles'], ['POST', '/:realm/clients/:id/roles'], ['GET', '/:realm/roles'], ['POST', '/:realm/roles'],
    ['GET', '/:realm/roles/:name'], ['PUT', '/:realm/roles/:name'], ['DELETE', '/:realm/roles/:name'], ['GET', '/:realm/roles/:name/users'],
    ['GET', '/:realm/roles-by-id/:id'], ['PUT', '/:realm/roles-by-id/:id'], ['DELETE', '/:realm/roles-by-id/:id'], ['GET', '/:realm/roles-by-id/:id/composites'],
    ['POST', '/:realm/roles-by-id/:id/composites'], ['DELETE', '/:realm/roles-by-id/:id/composites'], ['GET', '/:realm/client-session-stats'],
    ['POST', '/:realm/logout-all'], ['DELETE', '/:realm/sessions/:id'], ['GET', '/:realm/attack-detection/brute-force/users/:id'],
    ['DELETE', '/:realm/attack-detection/brute-force/users'],
  ];
  const REP_KEYS = [
    'id', 'username', 'enabled', 'email', 'emailVerified', 'firstName', 'attributes', 'credentials', 'requiredActions', 'type', 'value', 'temporary',
    'clientId', 'secret', 'redirectUris', 'webOrigins', 'publicClient', 'serviceAccountsEnabled', 'rootUrl', 'name', 'description', 'composite',
    'composites', 'realm', 'accessTokenLifespan', 'ssoSessionIdleTimeout', 'bruteForceProtected', 'failureFactor', 'revokeRefreshToken',
    'credentialData', 'secretData', 'algorithm', 'hashIterations', 'realmRoles', 'clientRoles', 'groups', 'protocol',
  ];
  const repValue = () => fc.oneof(value(), fc.jsonValue({ maxDepth: 2 }), fc.array(value(), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...REP_KEYS), value(), { maxKeys: 3 }));
  const representation = () =>
    fc.oneof(
    { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...REP_KEYS), repValue(), { maxKeys: 6 }) },
    { weight: 1, arbitrary: fc.array(fc.dictionary(fc.constantFrom('id', 'name', 'clientRole', 'containerId'), value(), { maxKeys: 3 }), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );

  it('admin API with a master admin token and generated bodies: 1,500 requests, no 5xx', async () => {
    await send({ method: 'POST', url: '/admin/realms', headers: { authorization: `Bearer ${known.adminToken}`, 'content-type': 'application/json' }, payload: JSON.stringify({ realm: 'fuzz', enabled: true }) });
    const fuzz = (await hf.ctx.realms.getRealm('fuzz'))!;
    const ids = [...fuzz.clientsById.keys(), ...[...fuzz.rolesById.keys()].slice(0, 8)];
    const segment = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 2, arbitrary: value() }, { weight: 1, arbitrary: fc.uuid() });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ADMIN_ROUTES),
        fc.oneof({ weight: 6, arbitrary: fc.constant('fuzz') }, { weight: 1, arbitrary: value() }),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        representation(),
        params(),
        fc.oneof({ weight: 8, arbitrary: fc.constant(`Bearer ${known.adminToken}`) }, { weight: 1, arbitrary: authorization() }),
        fc.constantFrom('application/json', 'application/json', 'text/plain', undefined),
        fc.boolean(),
        async ([method, template], realm, segments, body, query, auth, type, broken) => {
          // The realm under test stays: deleting it would end the run's coverage, not find a bug.
          if (method === 'DELETE' && template === '/:realm') return;
          let i = 0;
          const url = `/admin/realms${template.replace(':realm', encodeURIComponent(toWellFormed(realm))).replace(/:(id|name)/g, () => encodeURIComponent(toWellFormed(segments[i++ % 3])))}`;
          const headers: Record<string, string> = {};
          if (auth) headers.authorization = headerSafe(auth);
          if (type) headers['content-type'] = type;
          const payload = method === 'GET' ? undefined : broken ? JSON.stringify(body).slice(0, -1) : JSON.stringify(body);
          await send({ method, url: `${url}${query.length > 0 ? `?${encodeParams(query, false)}` : ''}`, headers, payload });
        },
      ),
      { seed: SEED + 3, numRuns: 1_500, endOnFailure: true },
    );
    assertNoFailures();
  });

  /** Every JSON path of the Keycloak fixture, to replace, retype or drop one at a time. */
  function jsonPaths(node: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
    if (prefix.length > 0) out.push(prefix);
    if (Array.isArray(node)) node.forEach((child, i) => jsonPaths(child, [...prefix, i], out));
    else if (node && typeof node === 'object') for (const [k, child] of Object.entries(node)) jsonPaths(child, [...prefix, k], out);
    return out;
  }

  it('realm import of a mutated Keycloak export: 300 imports, no 5xx', async () => {
    const paths = jsonPaths(REALM_FIXTURE).filter((p) => p[0] !== 'realm' && p[0] !== 'id');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...paths), fc.oneof(repValue(), fc.constant(undefined))), { minLength: 1, maxLength: 4 }),
        async (mutations) => {
          const realm = structuredClone(REALM_FIXTURE);
          realm.realm = `fz-${n++}`;
          delete realm.id;
          for (const [at, replacement] of mutations) {
            let node = realm;
            for (const key of at.slice(0, -1)) node = node?.[key];
            if (node && typeof node === 'object') {
              const last = at[at.length - 1];
              if (replacement === undefined) delete node[last];
              else node[last] = replacement;
            }
          }
          const response = await send({ method: 'POST', url: '/admin/realms', headers: { authorization: `Bearer ${known.adminToken}`, 'content-type': 'application/json' }, payload: JSON.stringify(realm) });
          if (![201, 400, 409].includes(response.statusCode)) failures.set(`import → ${response.statusCode}`, response.body.slice(0, 300));
        },
      ),
      { seed: SEED + 4, numRuns: 300, endOnFailure: true },
    );
    assertNoFailures();
  });

  it('leaves the store consistent and no promise rejected', async () => {
    assert.ok(sent >= 10_000, `sent ${sent} requests`);
    // A real login still works after the storm.
    const ok = await send({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', username: 'alice', password: 'alice' }) });
    assert.equal(ok.statusCode, 200);
    await hf.close();
    const db = new Database(path.join(dataDir, 'holdfast.db'), { readonly: true });
    try {
      const orphanClientSessions = db.prepare('SELECT count(*) AS n FROM client_session cs WHERE NOT EXISTS (SELECT 1 FROM user_session us WHERE us.id = cs.user_session_id AND us.offline = cs.offline)').get() as { n: number };
      assert.equal(orphanClientSessions.n, 0, 'client sessions without their user session');
      const orphanCodes = db.prepare('SELECT count(*) AS n FROM auth_code c WHERE c.used = 0 AND NOT EXISTS (SELECT 1 FROM user_session us WHERE us.id = c.user_session_id)').get() as { n: number };
      assert.equal(orphanCodes.n, 0, 'unused codes without their session');
      const authSessions = db.prepare('SELECT count(*) AS n, max(length(tabs)) AS biggest FROM auth_session').get() as { n: number; biggest: number | null };
      const limits = hf.ctx.config.authSessionLimits;
      assert.ok(authSessions.n <= limits.total, `${authSessions.n} authentication sessions, over the cap of ${limits.total}`);
      assert.ok((authSessions.biggest ?? 0) <= 64 * 1024, `largest authentication session: ${authSessions.biggest} bytes`);
      const perOrigin = db.prepare("SELECT max(n) AS most FROM (SELECT count(*) AS n FROM auth_session WHERE origin <> '' GROUP BY origin)").get() as { most: number | null };
      assert.ok((perOrigin.most ?? 0) <= limits.perOrigin, `${perOrigin.most} authentication sessions from one client network, over the cap of ${limits.perOrigin}`);
      const orphanRoles = db.prepare('SELECT count(*) AS n FROM user_role ur WHERE NOT EXISTS (SELECT 1 FROM role r WHERE r.id = ur.role_id) OR NOT EXISTS (SELECT 1 FROM app_user u WHERE u.id = ur.user_id)').get() as { n: number };
      assert.equal(orphanRoles.n, 0, 'role mappings without their role or user');
    } finally {
      db.close();
    }
    assert.deepEqual(rejections, []);
  });
});
