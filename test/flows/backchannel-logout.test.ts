/**
 * Back-channel logout against a listening holdfast: a small HTTP server started here receives
 * the `logout_token`s, verified against the realm's JWKS with jose, for RP-initiated logout and
 * for the admin API's session delete, user logout and logout-all. A receiver that refuses
 * connections, or one that never answers, does not hold up the logout, and its failures are counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { adminClient, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { freePort } from '../support/process.ts';
import { CookieJar, get, loginThroughForm } from '../support/browser.ts';

const REALM = 'bcl';
const SECRET = 'bcl-client-secret';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Received {
  path: string;
  contentType: string | undefined;
  token: string;
}

/** Polls until `done` holds; bounded, so a delivery that never comes fails the test instead of hanging it. */
async function eventually(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let round = 0; round < 100; round += 1) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('back-channel logout', () => {
  let server: AdminServer;
  let receiver: http.Server;
  let hanging: http.Server;
  let hangingRequests = 0;
  const received: Received[] = [];
  let issuer: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let userId: string;

  const token = async (clientId: string): Promise<any> => {
    const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: clientId, client_secret: SECRET, username: 'carol', password: 'carol-pw', scope: 'openid' }),
    });
    assert.equal(response.status, 200);
    return response.json();
  };
  const sidOf = (accessToken: string): string => JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;
  const verified = async (logoutToken: string, audience: string): Promise<JWTPayload> => (await jwtVerify(logoutToken, jwks, { issuer, audience, typ: 'logout+jwt' })).payload;
  const failures = async (): Promise<number> => {
    const metric = await server.holdfast.ctx.metrics.backchannelLogouts.get();
    return metric.values.find((v) => v.labels.outcome === 'failed')?.value ?? 0;
  };

  before(async () => {
    receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', contentType: request.headers['content-type'], token: new URLSearchParams(body).get('logout_token') ?? '' });
        response.end();
      });
    });
    hanging = http.createServer(() => {
      hangingRequests += 1;
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    const deadPort = await freePort();

    server = await startAdminServer();
    issuer = `${server.url}/realms/${REALM}`;
    jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const kc = await adminClient(server.url);
    await kc.realms.create({ realm: REALM, enabled: true });
    kc.setConfig({ realmName: REALM });
    const app = { secret: SECRET, directAccessGrantsEnabled: true, frontchannelLogout: false };
    await kc.clients.create({ ...app, clientId: 'app-a', attributes: { 'backchannel.logout.url': `${base}/a`, 'backchannel.logout.session.required': 'true', 'backchannel.logout.revoke.offline.tokens': 'true' } });
    // No backchannel.logout.session.required: false, as in Keycloak.
    await kc.clients.create({ ...app, clientId: 'app-b', attributes: { 'backchannel.logout.url': `${base}/b` } });
    await kc.clients.create({ ...app, clientId: 'app-dead', attributes: { 'backchannel.logout.url': `http://127.0.0.1:${deadPort}/gone` } });
    await kc.clients.create({ ...app, clientId: 'app-hanging', attributes: { 'backchannel.logout.url': `http://127.0.0.1:${(hanging.address() as { port: number }).port}/slow` } });
    await kc.clients.create({ ...app, clientId: 'app-plain' });
    ({ id: userId } = await kc.users.create({ username: 'carol', enabled: true, firstName: 'Carol', lastName: 'C', email: 'carol@example.com', emailVerified: true, credentials: [{ type: 'password', value: 'carol-pw', temporary: false }] }));
  });
  after(async () => {
    await server.close();
    hanging.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await new Promise((resolve) => hanging.close(resolve));
  });

  it('discovery advertises back-channel logout with sessions', async () => {
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.backchannel_logout_supported, true);
    assert.equal(discovery.backchannel_logout_session_supported, true);
  });

  it('RP-initiated logout with a refresh token sends a signed logout_token in Keycloak shape', async () => {
    received.length = 0;
    const tokens = await token('app-a');
    const response = await fetch(`${issuer}/protocol/openid-connect/logout`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'app-a', client_secret: SECRET, refresh_token: tokens.refresh_token }),
    });
    assert.equal(response.status, 204);
    await eventually(() => received.length === 1, 'the logout token');
    const [delivery] = received;
    assert.equal(delivery.path, '/a');
    assert.equal(delivery.contentType, 'application/x-www-form-urlencoded');
    assert.equal(decodeProtectedHeader(delivery.token).typ, 'logout+jwt');
    const claims = await verified(delivery.token, 'app-a');
    assert.equal(claims.sub, userId);
    assert.equal(claims.sid, sidOf(tokens.access_token));
    assert.equal(claims.typ, 'Logout');
    assert.deepEqual(claims.events, { [EVENT]: {}, revoke_offline_access: true });
    assert.equal(claims.exp! - claims.iat!, 120);
    assert.ok(typeof claims.jti === 'string' && claims.jti.length > 0);
    assert.equal(claims.nonce, undefined);
  });

  it('signing out another session through the account API notifies its clients', async () => {
    received.length = 0;
    const current = await token('app-a');
    const other = await token('app-a');
    const response = await fetch(`${issuer}/account/sessions/${sidOf(other.access_token)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${current.access_token}`, accept: 'application/json' },
    });
    assert.equal(response.status, 204);
    await eventually(() => received.length === 1, 'the logout token');
    assert.equal((await verified(received[0].token, 'app-a')).sid, sidOf(other.access_token));
    // The caller's own session ends too, so that the tests after this one find none of its sessions.
    await fetch(`${issuer}/account/sessions?current=true`, { method: 'DELETE', headers: { authorization: `Bearer ${current.access_token}`, accept: 'application/json' } });
    await eventually(() => received.length === 2, 'the second logout token');
    assert.equal((await verified(received[1].token, 'app-a')).sid, sidOf(current.access_token));
  });

  it('admin session delete and user logout notify every client of the session; sid only when required', async () => {
    const kc = await adminClient(server.url, {}, REALM);
    received.length = 0;
    const first = await token('app-a');
    await token('app-b');
    // app-b logged in within a new session: two sessions, each with one client.
    const sid = sidOf(first.access_token);
    await kc.realms.deleteSession({ realm: REALM, session: sid, isOffline: false });
    await eventually(() => received.length === 1, 'the session delete notice');
    assert.equal(received[0].path, '/a');
    assert.equal((await verified(received[0].token, 'app-a')).sid, sid);

    await kc.users.logout({ id: userId });
    await eventually(() => received.length === 2, 'the user logout notice');
    assert.equal(received[1].path, '/b');
    const claims = await verified(received[1].token, 'app-b');
    assert.equal(claims.sid, undefined);
    assert.deepEqual(claims.events, { [EVENT]: {} });
  });

  it('logout-all notifies the clients of every ended session', async () => {
    const kc = await adminClient(server.url, {}, REALM);
    received.length = 0;
    await token('app-a');
    await token('app-b');
    await token('app-plain');
    await kc.realms.logoutAll({ realm: REALM });
    await eventually(() => received.length === 2, 'two notices');
    assert.deepEqual(received.map((r) => r.path).sort(), ['/a', '/b']);
  });

  it('a dead or silent receiver does not hold up the logout; its failure is counted after bounded retries', async () => {
    const before = await failures();
    const hangingBefore = hangingRequests;
    for (const clientId of ['app-dead', 'app-hanging']) {
      const tokens = await token(clientId);
      const response = await fetch(`${issuer}/protocol/openid-connect/logout`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: clientId, client_secret: SECRET, refresh_token: tokens.refresh_token }),
      });
      assert.equal(response.status, 204);
    }
    await eventually(() => hangingRequests > hangingBefore, 'the silent receiver to be called');
    // Three attempts to the refused port take about a second and a half of pauses.
    await eventually(async () => (await failures()) >= before + 1, 'the dead receiver to be counted as failed');
  });
});

describe('front-channel logout', () => {
  let server: AdminServer;
  const received: string[] = [];
  let receiver: http.Server;

  before(async () => {
    receiver = http.createServer((request, response) => {
      received.push(request.url ?? '');
      response.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    server = await startAdminServer();
    const kc = await adminClient(server.url, {}, 'demo');
    const [client] = await kc.clients.find({ clientId: 'demo-service' });
    await kc.clients.update(
      { id: client.id! },
      {
        frontchannelLogout: true,
        attributes: {
          ...client.attributes,
          'frontchannel.logout.url': 'https://rp.example/logged-out?x=1',
          'frontchannel.logout.session.required': 'true',
          'backchannel.logout.url': `http://127.0.0.1:${(receiver.address() as { port: number }).port}/bc`,
          'post.logout.redirect.uris': 'http://localhost:3000/bye',
        },
      },
    );
  });
  after(async () => {
    await server.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('the logout page frames the front-channel URL with iss and sid, then redirects; no back-channel notice for that client', async () => {
    const issuer = `${server.url}/realms/demo`;
    const jar = new CookieJar();
    const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid' });
    const callback = await loginThroughForm(`${issuer}/protocol/openid-connect/auth?${query}`, 'alice', 'alice', jar);
    const sid = callback.searchParams.get('session_state')!;
    const tokens = await (
      await fetch(`${issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('demo-service:demo-service-secret').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: 'http://localhost:3000/callback' }),
      })
    ).json();
    const logout = await get(`${issuer}/protocol/openid-connect/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://localhost:3000/bye', state: 's1' })}`, jar);
    assert.equal(logout.status, 200);
    assert.match(logout.headers.get('content-security-policy')!, /frame-src 'self' https:\/\/rp\.example;/);
    const html = await logout.text();
    const frame = /<iframe src="([^"]+)"/.exec(html)![1].replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c)));
    const url = new URL(frame);
    assert.equal(url.origin + url.pathname, 'https://rp.example/logged-out');
    assert.equal(url.searchParams.get('x'), '1');
    assert.equal(url.searchParams.get('iss'), issuer);
    assert.equal(url.searchParams.get('sid'), sid);
    assert.ok(html.includes('window.location.replace("http://localhost:3000/bye?state=s1")'));
    // The session is gone, and the client reached through the page got no back-channel POST.
    const introspect = await fetch(`${issuer}/protocol/openid-connect/token/introspect`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('demo-service:demo-service-secret').toString('base64')}` },
      body: new URLSearchParams({ token: tokens.refresh_token }),
    });
    assert.equal((await introspect.json()).active, false);
    assert.deepEqual(received, []);
  });
});

describe('back-channel logout under --outbound-addresses public', () => {
  it('sends nothing to a loopback receiver and counts the delivery as failed, once', async () => {
    let requests = 0;
    const receiver = http.createServer((_request, response) => {
      requests += 1;
      response.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const server = await startAdminServer({ outboundAddresses: 'public' });
    try {
      const kc = await adminClient(server.url);
      await kc.realms.create({ realm: REALM, enabled: true });
      kc.setConfig({ realmName: REALM });
      const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/bc`;
      await kc.clients.create({ clientId: 'app-a', secret: SECRET, directAccessGrantsEnabled: true, attributes: { 'backchannel.logout.url': url } });
      await kc.users.create({ username: 'carol', enabled: true, firstName: 'Carol', lastName: 'C', email: 'carol@example.com', emailVerified: true, credentials: [{ type: 'password', value: 'carol-pw', temporary: false }] });
      const tokenUrl = `${server.url}/realms/${REALM}/protocol/openid-connect`;
      const tokens = await (await fetch(`${tokenUrl}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'app-a', client_secret: SECRET, username: 'carol', password: 'carol-pw' }) })).json();
      const logout = await fetch(`${tokenUrl}/logout`, { method: 'POST', body: new URLSearchParams({ client_id: 'app-a', client_secret: SECRET, refresh_token: tokens.refresh_token }) });
      assert.equal(logout.status, 204);
      const failed = async () => (await server.holdfast.ctx.metrics.backchannelLogouts.get()).values.find((v) => v.labels.outcome === 'failed')?.value ?? 0;
      await eventually(async () => (await failed()) === 1, 'the refused delivery to be counted');
      assert.equal(requests, 0);
    } finally {
      await server.close();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
