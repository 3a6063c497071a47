/**
 * After `holdfast migrate-from-keycloak`, what Keycloak handed out before the move keeps working
 * on holdfast started at the same base URL (issue #19): a real Keycloak 26.7.3 at `/auth` issues
 * refresh tokens (a rotated chain, with refreshTokenMaxReuse 0), an offline token, access and ID
 * tokens, and a browser SSO cookie (login form with remember-me); one user logs out. Keycloak is
 * stopped, the migrator carries its database into a holdfast data directory, and holdfast takes
 * Keycloak's port and `--http-relative-path /auth`. Then, against holdfast: the issuer is
 * unchanged, the newest refresh token and the offline token refresh (and the chain goes on in
 * holdfast's tokens), the older rotated token and a reused one are refused with Keycloak's answers
 * (which a restarted Keycloak 26.7.3 also gives: it applies no restart leniency), the logged-out
 * user stays out, Keycloak's KEYCLOAK_IDENTITY cookie gives a code for prompt=none,
 * Keycloak's access and ID tokens verify against holdfast's JWKS and are accepted by userinfo,
 * and the realm's protocol mappers (on a client and on a client scope) give holdfast's tokens and
 * userinfo for a Keycloak session the claims Keycloak gave, compared field by field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { keycloakSkipReason, startKeycloak, type RunningKeycloak } from '../support/keycloak.ts';
import { freePort, runHoldfastCommand, startHoldfast, tempDir, type RunningHoldfast } from '../support/process.ts';
import { CookieJar, formAction, get, postForm } from '../support/browser.ts';
import { decodeJwt } from '../support/app.ts';

const REALM = 'shop';
const SECRET = 'backend-secret-value-123';
const SPA_REDIRECT = 'http://localhost:3000/cb';

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
}

interface Answer {
  status: number;
  body: Record<string, any>;
}

async function tokenRequest(baseUrl: string, fields: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${baseUrl}/realms/${REALM}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const backend = { client_id: 'backend', client_secret: SECRET };

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(baseUrl: string, challenge: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ client_id: 'spa', redirect_uri: SPA_REDIRECT, response_type: 'code', scope: 'openid', state: randomBytes(8).toString('hex'), code_challenge: challenge, code_challenge_method: 'S256', ...extra });
  return `${baseUrl}/realms/${REALM}/protocol/openid-connect/auth?${query}`;
}

/**
 * Waits (at most a second) until the clock is past the second the token was issued in: Keycloak
 * and holdfast call a token stale when it was issued before the client session's last refresh, in
 * whole seconds, so a replay within the same second is not stale for either of them.
 */
async function pastIssuedSecond(token: string): Promise<void> {
  const iat = decodeJwt(token).iat as number;
  const wait = (iat + 1) * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1_100)));
}

/** The attributes of one Set-Cookie header of a response, by cookie name. */
function cookieAttributes(response: Response, name: string): string[] | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`) && !c.startsWith(`${name}=;`));
  return header?.split(';').slice(1).map((a) => a.trim().toLowerCase()).sort();
}

type Admin = RunningKeycloak['admin'];

const oidcMapper = (name: string, protocolMapper: string, config: Record<string, string>, tokens: Record<string, string> = {}) => ({
  name,
  protocol: 'openid-connect',
  protocolMapper,
  config: { 'access.token.claim': 'true', 'id.token.claim': 'true', 'userinfo.token.claim': 'true', 'introspection.token.claim': 'true', ...config, ...tokens },
});

/**
 * What a real realm has on top of Keycloak's defaults, through its admin API: on backend itself a
 * hardcoded nested claim and realm and client role mappers under claim names of their own; a
 * default client scope of backend with user-attribute mappers (single and multivalued), group
 * membership by full path and by name, and an audience mapper (access token only); alice in a
 * subgroup and a top-level group, with a realm role and a backend role.
 */
async function addMappersAndMemberships(admin: Admin, ids: Record<string, string>): Promise<void> {
  const idOf = async (path: string, name: string, key = 'name') =>
    ((await (await admin('GET', path)).json()) as Array<Record<string, string>>).find((item) => item[key] === name)!.id;
  const backendId = await idOf(`/realms/${REALM}/clients?clientId=backend`, 'backend', 'clientId');
  await admin('POST', `/realms/${REALM}/clients/${backendId}/protocol-mappers/add-models`, [
    oidcMapper('plan tier', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'plan.tier', 'claim.value': 'gold', 'jsonType.label': 'String' }),
    oidcMapper('seat limit', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'seat_limit', 'claim.value': '25', 'jsonType.label': 'int' }, { 'userinfo.token.claim': 'false' }),
    oidcMapper('app roles', 'oidc-usermodel-realm-role-mapper', { 'claim.name': 'app_roles', 'jsonType.label': 'String', multivalued: 'true' }),
    oidcMapper('backend roles', 'oidc-usermodel-client-role-mapper', { 'claim.name': 'backend_roles', 'usermodel.clientRoleMapping.clientId': 'backend', 'usermodel.clientRoleMapping.rolePrefix': 'backend:', 'jsonType.label': 'String', multivalued: 'true' }),
  ]);
  await admin('POST', `/realms/${REALM}/client-scopes`, { name: 'shop-claims', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' } });
  const scopeId = await idOf(`/realms/${REALM}/client-scopes`, 'shop-claims');
  await admin('POST', `/realms/${REALM}/client-scopes/${scopeId}/protocol-mappers/add-models`, [
    oidcMapper('department', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'department', 'claim.name': 'department', 'jsonType.label': 'String' }),
    oidcMapper('nicknames', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'nicknames', 'claim.name': 'nicknames', 'jsonType.label': 'String', multivalued: 'true' }),
    oidcMapper('group paths', 'oidc-group-membership-mapper', { 'claim.name': 'groups', 'full.path': 'true' }),
    oidcMapper('group names', 'oidc-group-membership-mapper', { 'claim.name': 'group_names', 'full.path': 'false' }, { 'id.token.claim': 'false' }),
    oidcMapper('spa audience', 'oidc-audience-mapper', { 'included.client.audience': 'spa' }, { 'id.token.claim': 'false', 'userinfo.token.claim': 'false' }),
  ]);
  await admin('PUT', `/realms/${REALM}/clients/${backendId}/default-client-scopes/${scopeId}`);

  await admin('POST', `/realms/${REALM}/groups`, { name: 'staff' });
  const staffId = await idOf(`/realms/${REALM}/groups?search=staff`, 'staff');
  await admin('POST', `/realms/${REALM}/groups/${staffId}/children`, { name: 'admins' });
  const adminsId = await idOf(`/realms/${REALM}/groups/${staffId}/children`, 'admins');
  await admin('POST', `/realms/${REALM}/groups`, { name: 'readers' });
  const readersId = await idOf(`/realms/${REALM}/groups?search=readers`, 'readers');
  for (const groupId of [adminsId, readersId]) await admin('PUT', `/realms/${REALM}/users/${ids.alice}/groups/${groupId}`);
  await admin('POST', `/realms/${REALM}/roles`, { name: 'auditor' });
  const auditor = await (await admin('GET', `/realms/${REALM}/roles/auditor`)).json();
  await admin('POST', `/realms/${REALM}/users/${ids.alice}/role-mappings/realm`, [auditor]);
  await admin('POST', `/realms/${REALM}/clients/${backendId}/roles`, { name: 'operator' });
  const operator = await (await admin('GET', `/realms/${REALM}/clients/${backendId}/roles/operator`)).json();
  await admin('POST', `/realms/${REALM}/users/${ids.alice}/role-mappings/clients/${backendId}`, [operator]);
}

/**
 * The claims of a token or userinfo answer that must be equal between Keycloak and holdfast for the
 * same user, client and session, with string arrays and the words of `scope` sorted: Keycloak
 * builds roles, groups, audiences and the scope string from Java sets, so their order says
 * nothing (two runs of the same Keycloak order `scope` differently).
 */
function comparable(claims: Record<string, unknown>): Record<string, unknown> {
  // Per issuance, whoever issues: when (exp, iat, nbf), the token's own id (jti), and the hash of
  // the access token issued alongside an ID token (at_hash), which is another token each time.
  const perIssuance = new Set(['exp', 'iat', 'nbf', 'jti', 'at_hash']);
  const normal = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? [...value].sort() : value.map(normal);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normal(v)]));
    return value;
  };
  const scope = (value: unknown) => (typeof value === 'string' ? value.split(' ').sort().join(' ') : value);
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !perIssuance.has(name)).map(([name, value]) => [name, name === 'scope' ? scope(value) : normal(value)]));
}

describe('Keycloak tokens and cookies after the move to holdfast', { skip: keycloakSkipReason(), timeout: 1_800_000 }, () => {
  let keycloak: RunningKeycloak | undefined;
  let holdfast: RunningHoldfast | undefined;
  const dataDir = tempDir('holdfast-kctok-');
  let port: number;
  let base: string;
  const ids: Record<string, string> = {};
  const chain: Tokens[] = [];
  const replayed: Tokens[] = [];
  const reused: Tokens[] = [];
  let offline: Tokens;
  let mapped: Tokens;
  let keycloakClaims: Record<'access' | 'id' | 'userinfo', Record<string, unknown>>;
  let loggedOut: Tokens;
  let browserJar: CookieJar;
  let keycloakCookiePath: string | undefined;
  let keycloakJwks: { keys: Array<{ kid: string; use?: string }> };
  let keycloakIssuer: string;

  before(async () => {
    port = await freePort();
    keycloak = await startKeycloak({ relativePath: '/auth', port });
    base = keycloak.baseUrl;
    const admin = keycloak.admin;
    // Access tokens outlive the move on a loaded machine; refresh rotation as issue #19 asks.
    await admin('POST', '/realms', { realm: REALM, enabled: true, revokeRefreshToken: true, refreshTokenMaxReuse: 0, rememberMe: true, accessTokenLifespan: 3600 });
    await admin('POST', `/realms/${REALM}/clients`, { clientId: 'spa', publicClient: true, standardFlowEnabled: true, directAccessGrantsEnabled: false, redirectUris: ['http://localhost:3000/*'], webOrigins: ['http://localhost:3000'], attributes: { 'pkce.code.challenge.method': 'S256' } });
    await admin('POST', `/realms/${REALM}/clients`, { clientId: 'backend', publicClient: false, secret: SECRET, directAccessGrantsEnabled: true, standardFlowEnabled: false });
    // Keycloak 26 keeps only attributes its user profile declares unless unmanaged ones are allowed.
    const profile = (await (await admin('GET', `/realms/${REALM}/users/profile`)).json()) as Record<string, unknown>;
    await admin('PUT', `/realms/${REALM}/users/profile`, { ...profile, unmanagedAttributePolicy: 'ENABLED' });
    for (const [username, password] of [['alice', 'alice-password-1'], ['bob', 'bob-password-1']]) {
      const attributes = username === 'alice' ? { department: ['engineering'], nicknames: ['al', 'ally'] } : {};
      await admin('POST', `/realms/${REALM}/users`, { username, enabled: true, email: `${username}@example.test`, emailVerified: true, firstName: username, lastName: 'Tester', attributes, credentials: [{ type: 'password', value: password, temporary: false }] });
      const [user] = (await (await admin('GET', `/realms/${REALM}/users?exact=true&username=${username}`)).json()) as Array<{ id: string }>;
      ids[username] = user.id;
    }
    await addMappersAndMemberships(admin, ids);
    keycloakIssuer = `${base}/realms/${REALM}`;
    keycloakJwks = (await (await fetch(`${keycloakIssuer}/protocol/openid-connect/certs`)).json()) as typeof keycloakJwks;

    const password = async (username: string, pass: string, scope = 'openid'): Promise<Tokens> => {
      const answer = await tokenRequest(base, { grant_type: 'password', ...backend, username, password: pass, scope });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body as Tokens;
    };
    const refresh = async (tokens: Tokens): Promise<Tokens> => {
      const answer = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: tokens.refresh_token });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body as Tokens;
    };
    // A rotated chain: the first two tokens used, the third not yet.
    chain.push(await password('alice', 'alice-password-1'));
    chain.push(await refresh(chain[0]));
    chain.push(await refresh(chain[1]));
    // Another session's chain whose older token is replayed after the move, one whose last used token is used again.
    replayed.push(await password('alice', 'alice-password-1'));
    await pastIssuedSecond(replayed[0].refresh_token);
    replayed.push(await refresh(replayed[0]));
    replayed.push(await refresh(replayed[1]));
    reused.push(await password('alice', 'alice-password-1'));
    reused.push(await refresh(reused[0]));
    offline = await password('alice', 'alice-password-1', 'openid offline_access');
    // What Keycloak's mappers make of alice on backend: its access token, ID token and userinfo.
    mapped = await password('alice', 'alice-password-1');
    const keycloakUserinfo = await fetch(`${base}/realms/${REALM}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${mapped.access_token}` } });
    assert.equal(keycloakUserinfo.status, 200, await keycloakUserinfo.clone().text());
    keycloakClaims = { access: decodeJwt(mapped.access_token), id: decodeJwt(mapped.id_token!), userinfo: (await keycloakUserinfo.json()) as Record<string, unknown> };
    loggedOut = await password('bob', 'bob-password-1');
    const logout = await fetch(`${base}/realms/${REALM}/protocol/openid-connect/logout`, { method: 'POST', body: new URLSearchParams({ ...backend, refresh_token: loggedOut.refresh_token }) });
    assert.equal(logout.status, 204, await logout.text());

    // The browser: Keycloak's login form with remember-me, which leaves its SSO cookies in the jar.
    browserJar = new CookieJar();
    const { verifier, challenge } = pkce();
    const page = await get(authorizationUrl(base, challenge), browserJar);
    assert.equal(page.status, 200);
    const loggedIn = await postForm(formAction(await page.text()), { username: 'alice', password: 'alice-password-1', rememberMe: 'on', credentialId: '' }, browserJar);
    assert.equal(loggedIn.status, 302, await loggedIn.text());
    keycloakCookiePath = cookieAttributes(loggedIn, 'KEYCLOAK_IDENTITY')?.find((a) => a.startsWith('path='));
    const code = new URL(loggedIn.headers.get('location')!).searchParams.get('code')!;
    const redeemed = await tokenRequest(base, { grant_type: 'authorization_code', client_id: 'spa', code, redirect_uri: SPA_REDIRECT, code_verifier: verifier });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    assert.ok(browserJar.get('KEYCLOAK_IDENTITY'), 'Keycloak set its identity cookie');

    await keycloak.shutdown();
    const migrated = await runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', keycloak.dbUrl, '--data-dir', dataDir, '--log-level', 'warn'], 600_000);
    assert.equal(migrated.code, 0, migrated.output);
    holdfast = await startHoldfast({ dataDir, port, relativePath: '/auth' });
    assert.equal(holdfast.url, base, 'holdfast answers at the base URL Keycloak had');
  });

  after(async () => {
    await holdfast?.stop();
    await keycloak?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the issuer: discovery at the same URL names the same issuer', async () => {
    const discovery = (await (await fetch(`${base}/realms/${REALM}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, keycloakIssuer);
  });

  it('refreshes the newest token of a rotated Keycloak chain, and the chain goes on in holdfast', async () => {
    const claims = decodeJwt(chain[2].refresh_token);
    assert.equal(claims.typ, 'Refresh');
    assert.ok(claims.reuse_id, 'a Keycloak rotation token');
    const first = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: chain[2].refresh_token });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(decodeJwt(first.body.access_token).sub, ids.alice);
    assert.equal(decodeJwt(first.body.access_token).iss, keycloakIssuer);
    assert.equal(first.body.session_state, claims.sid);
    await pastIssuedSecond(chain[2].refresh_token);
    const second = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: first.body.refresh_token });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    // Once holdfast's tokens have taken over the chain, Keycloak's newest token is an older one like any other.
    const replay = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: chain[2].refresh_token });
    assert.deepEqual(replay, { status: 400, body: { error: 'invalid_grant', error_description: 'Stale token' } });
  });

  it('refuses an older rotated Keycloak token as Keycloak does, and logs that client out of the session', async () => {
    const stale = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: replayed[0].refresh_token });
    assert.deepEqual(stale, { status: 400, body: { error: 'invalid_grant', error_description: 'Stale token' } });
    const newest = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: replayed[2].refresh_token });
    assert.deepEqual(newest, { status: 400, body: { error: 'invalid_grant', error_description: "Session doesn't have required client" } });
  });

  it('refuses a Keycloak token used again beyond refreshTokenMaxReuse', async () => {
    const again = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: reused[0].refresh_token });
    assert.deepEqual(again, { status: 400, body: { error: 'invalid_grant', error_description: 'Maximum allowed refresh token reuse exceeded' } });
  });

  it("carries Keycloak's mapper output: holdfast's tokens and userinfo for the same session have Keycloak's claims, field by field", async () => {
    // Keycloak's own mappers did run: the claims below are what the fixture's mappers write.
    assert.deepEqual([keycloakClaims.access.department, keycloakClaims.id.group_names, (keycloakClaims.access.plan as { tier?: string })?.tier], ['engineering', undefined, 'gold']);
    assert.ok(Array.isArray(keycloakClaims.access.backend_roles) && (keycloakClaims.access.aud as string[]).includes('spa'), JSON.stringify(keycloakClaims.access));
    const refreshed = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: mapped.refresh_token });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const userinfo = await fetch(`${keycloakIssuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    assert.equal(userinfo.status, 200, await userinfo.clone().text());
    const holdfastClaims = { access: decodeJwt(refreshed.body.access_token), id: decodeJwt(refreshed.body.id_token), userinfo: (await userinfo.json()) as Record<string, unknown> };
    // Keycloak's password grant notes no auth time on its session, so its tokens carry no
    // auth_time; holdfast's tokens name the session's start instead (test/flows/mapper-claims.test.ts
    // says the same of holdfast's own password grant). Checked here, then compared like the rest.
    const started = decodeJwt(mapped.refresh_token).iat;
    for (const kind of ['access', 'id'] as const) {
      assert.equal(keycloakClaims[kind].auth_time, undefined, `${kind}: Keycloak wrote an auth_time`);
      assert.ok(typeof holdfastClaims[kind].auth_time === 'number' && Math.abs((holdfastClaims[kind].auth_time as number) - (started as number)) <= 1, `${kind}: holdfast's auth_time`);
      delete holdfastClaims[kind].auth_time;
    }
    for (const kind of ['access', 'id', 'userinfo'] as const) assert.deepEqual(comparable(holdfastClaims[kind]), comparable(keycloakClaims[kind]), `${kind}: holdfast's claims against Keycloak's`);
  });

  it('refreshes a Keycloak offline token into an offline token', async () => {
    assert.equal(decodeJwt(offline.refresh_token).typ, 'Offline');
    const answer = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: offline.refresh_token });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(decodeJwt(answer.body.refresh_token).typ, 'Offline');
    assert.equal(answer.body.refresh_expires_in, 0);
    assert.match(answer.body.scope, /offline_access/);
  });

  it('keeps the user who logged out of Keycloak logged out, and a token for another client refused', async () => {
    const answer = await tokenRequest(base, { grant_type: 'refresh_token', ...backend, refresh_token: loggedOut.refresh_token });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'invalid_grant');
    const otherClient = await tokenRequest(base, { grant_type: 'refresh_token', client_id: 'spa', refresh_token: chain[2].refresh_token });
    assert.deepEqual(otherClient, { status: 400, body: { error: 'invalid_grant', error_description: "Invalid refresh token. Token client and authorized client don't match" } });
  });

  it("logs the browser in silently with Keycloak's KEYCLOAK_IDENTITY cookie (prompt=none gives a code)", async () => {
    const identity = decodeJwt(browserJar.get('KEYCLOAK_IDENTITY')!);
    assert.equal(identity.typ, 'Serialized-ID');
    const { verifier, challenge } = pkce();
    const silent = await get(authorizationUrl(base, challenge, { prompt: 'none' }), browserJar);
    assert.equal(silent.status, 302, await silent.text());
    const location = new URL(silent.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), null, location.search);
    const code = location.searchParams.get('code');
    assert.ok(code, location.href);
    const redeemed = await tokenRequest(base, { grant_type: 'authorization_code', client_id: 'spa', code, redirect_uri: SPA_REDIRECT, code_verifier: verifier });
    assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
    assert.equal(decodeJwt(redeemed.body.access_token).sub, ids.alice);
    assert.equal(redeemed.body.session_state, identity.sid, 'the SSO session Keycloak made');
    // holdfast's cookies land on the path Keycloak's had.
    const again = await get(authorizationUrl(base, challenge, { prompt: 'none' }), browserJar);
    assert.equal(again.status, 302);
    const holdfastPath = cookieAttributes(again, 'KEYCLOAK_IDENTITY')?.find((a) => a.startsWith('path='));
    if (holdfastPath !== undefined) assert.equal(holdfastPath, keycloakCookiePath);
    assert.equal(keycloakCookiePath, `path=/auth/realms/${REALM}/`);
  });

  it("verifies Keycloak's access and ID tokens against holdfast's JWKS (same kids) and accepts them at userinfo", async () => {
    const jwks = (await (await fetch(`${keycloakIssuer}/protocol/openid-connect/certs`)).json()) as { keys: Array<{ kid: string }> };
    const kids = new Set(jwks.keys.map((k) => k.kid));
    for (const key of keycloakJwks.keys.filter((k) => k.use !== 'enc')) assert.ok(kids.has(key.kid), `holdfast publishes Keycloak's ${key.kid}`);
    const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    const tokens = chain[2];
    const access = await jwtVerify(tokens.access_token, keySet, { issuer: keycloakIssuer });
    assert.equal(access.payload.sub, ids.alice);
    const id = await jwtVerify(tokens.id_token!, keySet, { issuer: keycloakIssuer, audience: 'backend' });
    assert.equal(id.payload.sub, ids.alice);
    const userinfo = await fetch(`${keycloakIssuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${offline.access_token}` } });
    assert.equal(userinfo.status, 200, await userinfo.clone().text());
    const claims = (await userinfo.json()) as Record<string, unknown>;
    assert.equal(claims.sub, ids.alice);
    assert.equal(claims.preferred_username, 'alice');
    assert.equal(claims.email, 'alice@example.test');
    // The logged-out user's access token names a session that is gone.
    const out = await fetch(`${keycloakIssuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${loggedOut.access_token}` } });
    assert.equal(out.status, 401);
  });
});
