/**
 * `POST /users/{id}/impersonation` against a real listening holdfast on SQLite: Keycloak's answer
 * (`sameRealm`, the account console as `redirect`), the SSO cookies that let the browser in as the
 * user (an authorization request with prompt=none then succeeds without a login form), the
 * impersonator in the session's notes (a session-note mapper puts it in the token, also after a
 * restart) and in the IMPERSONATE event; and the refusals: 403 without `impersonation`, 403 for an
 * admin of another realm or for a target with more admin power, 404 for an unknown user, 400 for a
 * disabled user or a service account. An admin impersonating in their own realm is signed out.
 */
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { CookieJar, get } from '../support/browser.ts';
import { tempDir } from '../support/process.ts';
import { adminClient, adminRequest, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';

const REDIRECT = 'https://portal.example/cb';
/** A fixed public URL, so that tokens issued before the restart (on another port) keep their issuer. */
const PUBLIC_URL = 'http://idp.test';

/** An authorization code flow with prompt=none on the browser's cookies: the tokens, or the error. */
async function silentLogin(url: string, jar: CookieJar): Promise<{ error?: string; tokens?: { access_token: string; refresh_token: string } }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({ client_id: 'portal', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' });
  const response = await get(`${url}/realms/acme/protocol/openid-connect/auth?${query}`, jar);
  assert.equal(response.status, 302, await response.text());
  const location = new URL(response.headers.get('location')!);
  const code = location.searchParams.get('code');
  if (!code) return { error: location.searchParams.get('error') ?? 'no code' };
  const issued = await tokenFor(url, 'acme', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: 'portal', client_secret: 'portal-secret' });
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  return { tokens: issued.body };
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

function jarOf(headers: Headers): CookieJar {
  const jar = new CookieJar();
  jar.store(new Response(null, { headers }));
  return jar;
}

describe('admin API: impersonation', () => {
  const dataDir = tempDir('holdfast-impersonation-');
  let server: AdminServer;
  let kc: KcAdminClient;
  let patId: string;

  before(async () => {
    server = await startAdminServer({ dataDir, hostname: PUBLIC_URL });
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'acme', enabled: true, eventsEnabled: true });
    await master.realms.create({ realm: 'other', enabled: true });
    kc = await adminClient(server.url, {}, 'acme');
    const { id: portal } = await kc.clients.create({ clientId: 'portal', secret: 'portal-secret', directAccessGrantsEnabled: true, redirectUris: [`${REDIRECT}`] });
    // Keycloak's predefined "Impersonator User ID" / "Impersonator Username" session-note mappers.
    for (const [note, claim] of [['IMPERSONATOR_ID', 'impersonator.id'], ['IMPERSONATOR_USERNAME', 'impersonator.username']]) {
      await kc.clients.addProtocolMapper(
        { id: portal },
        { name: claim, protocol: 'openid-connect', protocolMapper: 'oidc-usersessionmodel-note-mapper', config: { 'user.session.note': note, 'claim.name': claim, 'access.token.claim': 'true', 'id.token.claim': 'true', 'jsonType.label': 'String' } },
      );
    }
    ({ id: patId } = await kc.users.create({ username: 'pat', email: 'pat@acme.example', enabled: true, credentials: [{ type: 'password', value: 'pat-pw', temporary: false }] }));
  });
  after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers Keycloak's shape and sets the SSO cookies: the browser is then signed in as the user, the impersonator in the token's session notes and the event", async () => {
    const response = await adminRequest(server.url, await masterToken(server.url), 'POST', `/acme/users/${patId}/impersonation`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, { sameRealm: false, redirect: `${PUBLIC_URL}/realms/acme/account` });
    const cookies = response.headers.getSetCookie();
    assert.ok(cookies.some((c) => c.startsWith('KEYCLOAK_IDENTITY=') && /path=\/realms\/acme\//i.test(c) && /httponly/i.test(c)), cookies.join('\n'));
    assert.ok(cookies.some((c) => c.startsWith('KEYCLOAK_SESSION=')));

    const { tokens, error } = await silentLogin(server.url, jarOf(response.headers));
    assert.equal(error, undefined);
    const claims = claimsOf(tokens!.access_token);
    const master = await adminClient(server.url);
    const [admin] = await master.users.find({ username: 'admin', exact: true });
    assert.equal(claims.sub, patId);
    assert.deepEqual(claims.impersonator, { id: admin.id, username: 'admin' });
    assert.deepEqual((await kc.users.listSessions({ id: patId })).map((s) => s.id), [claims.sid]);

    await server.holdfast.ctx.events.writer.flush();
    const events = await kc.realms.findEvents({ realm: 'acme', type: 'IMPERSONATE' });
    assert.equal(events.length, 1);
    assert.equal(events[0].userId, patId);
    assert.equal(events[0].sessionId, claims.sid);
    assert.deepEqual(events[0].details, { impersonator_realm: 'master', impersonator: 'admin' });
    const adminEvents = await kc.realms.findAdminEvents({ realm: 'acme', resourcePath: `users/${patId}/impersonation` });
    assert.deepEqual(adminEvents, [], 'Keycloak records no admin event for it');

    // The impersonated session is an ordinary stored one: after a restart it refreshes, notes and all.
    await server.holdfast.close();
    server = await startAdminServer({ dataDir, hostname: PUBLIC_URL });
    kc = await adminClient(server.url, {}, 'acme');
    const refreshed = await tokenFor(server.url, 'acme', { grant_type: 'refresh_token', refresh_token: tokens!.refresh_token, client_id: 'portal', client_secret: 'portal-secret' });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.deepEqual(claimsOf(refreshed.body.access_token).impersonator, { id: admin.id, username: 'admin' });
    // An ordinary login has no impersonator.
    const plain = await tokenFor(server.url, 'acme', { grant_type: 'password', username: 'pat', password: 'pat-pw', client_id: 'portal', client_secret: 'portal-secret', scope: 'openid' });
    assert.equal(claimsOf(plain.body.access_token).impersonator, undefined);
  });

  it('refuses a caller without impersonation (403), an unknown user (404), a disabled user and a service account (400)', async () => {
    await userWithManagementRoles(server.url, 'acme', 'manager', ['manage-users', 'view-users']);
    const manager = await tokenFor(server.url, 'acme', { grant_type: 'password', client_id: 'admin-cli', username: 'manager', password: 'manager-pw' });
    const refused = await adminRequest(server.url, manager.body.access_token, 'POST', `/acme/users/${patId}/impersonation`);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.getSetCookie().length, 0);

    const token = await masterToken(server.url);
    const unknown = await adminRequest(server.url, token, 'POST', '/acme/users/no-such-user/impersonation');
    assert.deepEqual([unknown.status, unknown.body.error], [404, 'User not found']);

    const { id: disabled } = await kc.users.create({ username: 'dormant', enabled: false });
    const off = await adminRequest(server.url, token, 'POST', `/acme/users/${disabled}/impersonation`);
    assert.deepEqual([off.status, off.body.errorMessage], [400, 'User is disabled']);

    const { id: robot } = await kc.clients.create({ clientId: 'robot', secret: 'robot-secret', serviceAccountsEnabled: true });
    const account = await kc.clients.getServiceAccountUser({ id: robot! });
    const machine = await adminRequest(server.url, token, 'POST', `/acme/users/${account.id}/impersonation`);
    assert.deepEqual([machine.status, machine.body.errorMessage], [400, 'Service accounts cannot be impersonated']);
  });

  it("lets a realm's own impersonator in (and signs their session out), not into another realm nor as a more powerful user", async () => {
    await userWithManagementRoles(server.url, 'acme', 'helpdesk', ['impersonation', 'view-users']);
    const helpdesk = await tokenFor(server.url, 'acme', { grant_type: 'password', client_id: 'admin-cli', username: 'helpdesk', password: 'helpdesk-pw' });
    const own = await adminRequest(server.url, helpdesk.body.access_token, 'POST', `/acme/users/${patId}/impersonation`);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.sameRealm, true);
    const gone = await tokenFor(server.url, 'acme', { grant_type: 'refresh_token', client_id: 'admin-cli', refresh_token: helpdesk.body.refresh_token });
    assert.equal(gone.body.error, 'invalid_grant', "the impersonator's own session ended");

    const again = await tokenFor(server.url, 'acme', { grant_type: 'password', client_id: 'admin-cli', username: 'helpdesk', password: 'helpdesk-pw' });
    const otherRealm = await (await adminClient(server.url, {}, 'other')).users.create({ username: 'olga', enabled: true });
    const elsewhere = await adminRequest(server.url, again.body.access_token, 'POST', `/other/users/${otherRealm.id}/impersonation`);
    assert.equal(elsewhere.status, 403);

    const bossId = await userWithManagementRoles(server.url, 'acme', 'boss', ['realm-admin']);
    const stronger = await adminRequest(server.url, again.body.access_token, 'POST', `/acme/users/${bossId}/impersonation`);
    assert.equal(stronger.status, 403);
  });
});
