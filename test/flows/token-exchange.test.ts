/**
 * Standard token exchange (RFC 8693, Keycloak 26's v2) against a listening holdfast, with
 * openid-client 6 as the requesting service: the exchanged token is the requester's, for the same
 * user and session, narrowed to the audience asked for; refresh tokens only where the client
 * allows them; an ID token in `access_token`. Every refusal is the one a real Keycloak 26.7 gives
 * (compared by hand against one), and a TOKEN_EXCHANGE event is recorded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { ManualClock } from '../../src/clock/index.ts';

const REALM = 'exchange';
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const REFRESH = 'urn:ietf:params:oauth:token-type:refresh_token';
const ID = 'urn:ietf:params:oauth:token-type:id_token';

const claimsOf = (token: string): Record<string, any> => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('standard token exchange', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let issuer: string;
  let tokenUrl: string;
  let requester: oidc.Configuration;
  let requesterId: string;
  const clock = new ManualClock(Date.now());

  const post = async (fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    const response = await fetch(tokenUrl, { method: 'POST', body });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const asRequester = (fields: Record<string, string | string[]>) => post({ client_id: 'requester', client_secret: 'requester-secret', grant_type: GRANT, subject_token_type: ACCESS, ...fields });
  /** alice's access token for `initial`, whose audience mapper names `requester`. */
  const subjectToken = async (scope = 'openid') => {
    const { body } = await post({ client_id: 'initial', client_secret: 'initial-secret', grant_type: 'password', username: 'alice', password: 'alice-pw', scope });
    return body as { access_token: string; refresh_token: string; session_state: string };
  };

  before(async () => {
    server = await startAdminServer({}, clock);
    issuer = `${server.url}/realms/${REALM}`;
    tokenUrl = `${issuer}/protocol/openid-connect/token`;
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true, eventsEnabled: true, enabledEventTypes: ['TOKEN_EXCHANGE', 'TOKEN_EXCHANGE_ERROR'] });
    kc = await adminClient(server.url, {}, REALM);
    const { id: initialId } = await kc.clients.create({ clientId: 'initial', secret: 'initial-secret', directAccessGrantsEnabled: true, serviceAccountsEnabled: true });
    ({ id: requesterId } = await kc.clients.create({ clientId: 'requester', secret: 'requester-secret', attributes: { 'standard.token.exchange.enabled': 'true' } }));
    const { id: targetId } = await kc.clients.create({ clientId: 'target', secret: 'target-secret' });
    await kc.clients.create({ clientId: 'not-enabled', secret: 'not-enabled-secret' });
    await kc.clients.create({ clientId: 'outsider', secret: 'outsider-secret', attributes: { 'standard.token.exchange.enabled': 'true' } });
    await kc.clients.create({ clientId: 'public-requester', publicClient: true, attributes: { 'standard.token.exchange.enabled': 'true' } });
    await kc.clients.create({ clientId: 'disabled-target', enabled: false });
    await kc.clients.addProtocolMapper(
      { id: initialId },
      { name: 'requester audience', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.client.audience': 'requester', 'access.token.claim': 'true', 'id.token.claim': 'false' } },
    );
    await kc.clients.createRole({ id: targetId, name: 'read' });
    const { id: aliceId } = await kc.users.create({ username: 'alice', enabled: true, email: 'alice@example.com', firstName: 'Alice', lastName: 'L', credentials: [{ type: 'password', value: 'alice-pw', temporary: false }] });
    const read = await kc.clients.findRole({ id: targetId, roleName: 'read' });
    await kc.users.addClientRoleMappings({ id: aliceId, clientUniqueId: targetId, roles: [{ id: read!.id!, name: 'read' }] });
    requester = await oidc.discovery(new URL(issuer), 'requester', {}, oidc.ClientSecretPost('requester-secret'), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    await server?.close();
  });

  it('lists the grant in discovery', () => {
    assert.ok(requester.serverMetadata().grant_types_supported?.includes(GRANT));
  });

  it('exchanges a token for the requester (openid-client), on the same session, with a client session that is never stored', async () => {
    const subject = await subjectToken();
    const exchanged = await oidc.genericGrantRequest(requester, GRANT, { subject_token: subject.access_token, subject_token_type: ACCESS });
    assert.equal(exchanged.issued_token_type, ACCESS);
    assert.equal(exchanged.token_type, 'bearer');
    assert.equal(exchanged.refresh_token, undefined);
    assert.equal(exchanged.session_state, subject.session_state);
    const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));
    const { payload } = await jwtVerify(exchanged.access_token, jwks, { issuer, audience: 'target' });
    assert.equal(payload.azp, 'requester');
    assert.equal(payload.sid, subject.session_state);
    assert.match(payload.jti!, /^ntrtte:/);
    assert.deepEqual(payload.aud, ['account', 'target']);
    assert.equal(payload.scope, 'profile email');
    // The user session vouches for it: userinfo and introspection accept it though `requester` has no stored client session.
    const userinfo = await oidc.fetchUserInfo(requester, exchanged.access_token, oidc.skipSubjectCheck);
    assert.equal(userinfo.preferred_username, 'alice');
    assert.equal((await oidc.tokenIntrospection(requester, exchanged.access_token)).active, true);
    const sessions = await kc.users.listSessions({ id: claimsOf(subject.access_token).sub });
    assert.deepEqual(Object.values(sessions[0].clients ?? {}), ['initial']);
    // Logging the session out ends the exchanged token too.
    await fetch(`${issuer}/protocol/openid-connect/logout`, { method: 'POST', body: new URLSearchParams({ client_id: 'initial', client_secret: 'initial-secret', refresh_token: subject.refresh_token }) });
    assert.equal((await oidc.tokenIntrospection(requester, exchanged.access_token)).active, false);
  });

  it('narrows the audience and the client roles to the requested audience, and refuses an audience the requester cannot reach', async () => {
    const subject = await subjectToken();
    const narrowed = await asRequester({ subject_token: subject.access_token, audience: 'target' });
    assert.equal(narrowed.status, 200);
    const claims = claimsOf(narrowed.body.access_token);
    assert.equal(claims.aud, 'target');
    assert.deepEqual(Object.keys(claims.resource_access), ['target']);
    assert.ok(claims.realm_access.roles.includes('offline_access'));
    const missing = await asRequester({ subject_token: subject.access_token, audience: ['target', 'initial', 'public-requester'] });
    assert.deepEqual(missing, { status: 400, body: { error: 'invalid_request', error_description: 'Requested audience not available: initial, public-requester' } });
    assert.deepEqual(await asRequester({ subject_token: subject.access_token, audience: 'nobody' }), { status: 400, body: { error: 'invalid_client', error_description: 'Audience not found' } });
    assert.deepEqual(await asRequester({ subject_token: subject.access_token, audience: 'disabled-target' }), { status: 400, body: { error: 'invalid_client', error_description: 'Client disabled' } });
  });

  it('answers an ID token in access_token (token_type N_A), and an ID token beside the access token for scope openid', async () => {
    const subject = await subjectToken();
    const id = await asRequester({ subject_token: subject.access_token, requested_token_type: ID });
    assert.equal(id.status, 200);
    assert.equal(id.body.token_type, 'N_A');
    assert.equal(id.body.issued_token_type, ID);
    assert.equal(id.body.id_token, undefined);
    const idClaims = claimsOf(id.body.access_token);
    assert.equal(idClaims.typ, 'ID');
    assert.equal(idClaims.aud, 'requester');
    assert.equal(idClaims.at_hash, undefined);
    const both = await asRequester({ subject_token: subject.access_token, scope: 'openid' });
    assert.equal(both.body.scope, 'openid profile email');
    assert.equal(claimsOf(both.body.id_token).aud, 'requester');
    assert.ok(claimsOf(both.body.id_token).at_hash);
  });

  it('issues a refresh token only with enableRefreshRequestedTokenType, which then refreshes with the audience kept', async () => {
    const subject = await subjectToken();
    assert.deepEqual(await asRequester({ subject_token: subject.access_token, requested_token_type: REFRESH }), { status: 400, body: { error: 'invalid_request', error_description: 'requested_token_type unsupported' } });
    await kc.clients.update({ id: requesterId }, { clientId: 'requester', attributes: { 'standard.token.exchange.enabled': 'true', 'standard.token.exchange.enableRefreshRequestedTokenType': 'SAME_SESSION' } });
    try {
      assert.deepEqual(await asRequester({ subject_token: subject.access_token, requested_token_type: REFRESH, scope: 'offline_access' }), {
        status: 400,
        body: { error: 'invalid_request', error_description: 'Scope offline_access not allowed for token exchange' },
      });
      const withRefresh = await oidc.genericGrantRequest(requester, GRANT, { subject_token: subject.access_token, subject_token_type: ACCESS, requested_token_type: REFRESH, audience: 'target' });
      assert.equal(withRefresh.issued_token_type, REFRESH);
      assert.match(claimsOf(withRefresh.access_token).jti, /^onrtte:/);
      assert.deepEqual(claimsOf(withRefresh.refresh_token!)['req-aud'], ['target']);
      const refreshed = await oidc.refreshTokenGrant(requester, withRefresh.refresh_token!);
      assert.equal(claimsOf(refreshed.access_token).aud, 'target');
      assert.equal(claimsOf(refreshed.access_token).sid, subject.session_state);
      // A service account's token has no session to attach a refresh token to.
      const { body: service } = await post({ client_id: 'initial', client_secret: 'initial-secret', grant_type: 'client_credentials' });
      assert.deepEqual(await asRequester({ subject_token: service.access_token, requested_token_type: REFRESH }), {
        status: 400,
        body: { error: 'invalid_request', error_description: 'Refresh token not valid as requested_token_type because creating a new session is needed' },
      });
      const transient = await asRequester({ subject_token: service.access_token });
      assert.equal(transient.status, 200);
      assert.match(claimsOf(transient.body.access_token).jti, /^trrtte:/);
      assert.equal(claimsOf(transient.body.access_token).sid, undefined);
      assert.equal(transient.body.session_state, undefined);
    } finally {
      await kc.clients.update({ id: requesterId }, { clientId: 'requester', attributes: { 'standard.token.exchange.enabled': 'true', 'standard.token.exchange.enableRefreshRequestedTokenType': 'NO' } });
    }
  });

  it('exchanges an offline session token with a transient client session on it (ft), never for a refresh token', async () => {
    const subject = await subjectToken('offline_access');
    const exchanged = await asRequester({ subject_token: subject.access_token });
    assert.equal(exchanged.status, 200);
    const claims = claimsOf(exchanged.body.access_token);
    assert.match(claims.jti, /^ftrtte:/);
    assert.equal(claims.sid, subject.session_state);
    assert.equal((await oidc.tokenIntrospection(requester, exchanged.body.access_token)).active, true);
  });

  it("refuses with Keycloak's errors", async () => {
    const subject = await subjectToken();
    const expect = async (fields: Record<string, string | string[]>, status: number, error: string, description: string) =>
      assert.deepEqual(await post({ grant_type: GRANT, subject_token: subject.access_token, subject_token_type: ACCESS, ...fields }), { status, body: { error, error_description: description } }, description);
    const req = { client_id: 'requester', client_secret: 'requester-secret' };
    await expect({ client_id: 'not-enabled', client_secret: 'not-enabled-secret' }, 400, 'invalid_request', 'Standard token exchange is not enabled for the requested client');
    await expect({ ...req, subject_token: '' }, 400, 'invalid_request', 'Invalid token');
    await expect({ ...req, subject_token: 'not.a.token' }, 400, 'invalid_request', 'Invalid token');
    await expect({ ...req, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }, 400, 'invalid_request', "Parameter 'subject_token' supports access tokens only");
    await expect({ ...req, subject_token_type: REFRESH, subject_token: subject.refresh_token }, 400, 'invalid_request', "Parameter 'subject_token' supports access tokens only");
    await expect({ ...req, requested_issuer: 'google' }, 400, 'invalid_request', "Parameter 'requested_issuer' is not supported for standard token exchange");
    await expect({ ...req, requested_subject: 'bob' }, 400, 'invalid_request', "Parameter 'requested_subject' is not supported for standard token exchange");
    await expect({ ...req, requested_token_type: 'urn:ietf:params:oauth:token-type:saml2' }, 400, 'invalid_request', 'requested_token_type unsupported');
    await expect({ ...req, requested_token_type: 'urn:x' }, 400, 'invalid_request', 'requested_token_type unsupported');
    await expect({ ...req, scope: 'nope' }, 400, 'invalid_scope', 'Invalid scopes: nope');
    await expect({ ...req, scope: ['openid', 'email'] }, 400, 'invalid_request', 'duplicated parameter');
    await expect({ client_id: 'public-requester' }, 400, 'invalid_client', 'Public client is not allowed to exchange token');
    await kc.clients.update({ id: requesterId }, { clientId: 'requester', consentRequired: true });
    await expect(req, 400, 'invalid_scope', 'Missing consents for Token Exchange in client requester');
    await kc.clients.update({ id: requesterId }, { clientId: 'requester', consentRequired: false });
    // alice's token names `requester`, `account` and `target` in its aud, not `outsider`.
    await expect({ client_id: 'outsider', client_secret: 'outsider-secret' }, 403, 'access_denied', 'Client is not within the token audience');
    // The requester may exchange its own token again (it is its azp), though only `target` is in its aud.
    const narrowed = await asRequester({ subject_token: subject.access_token, audience: 'target' });
    assert.equal((await asRequester({ subject_token: narrowed.body.access_token })).status, 200);
    assert.deepEqual(await post({ ...req, grant_type: GRANT, subject_token: subject.access_token }), {
      status: 400,
      body: { error: 'invalid_request', error_description: "Parameter 'subject_token_type' required for standard token exchange" },
    });
    assert.deepEqual(await post({ ...req, grant_type: GRANT, subject_token_type: ACCESS }), {
      status: 400,
      body: { error: 'invalid_request', error_description: "Parameter 'subject_token' required for standard token exchange" },
    });
  });

  it('answers every malformed request with an OAuth error, never a 500', async () => {
    const subject = await subjectToken();
    const cases: Array<Record<string, string | string[]>> = [
      { subject_token: subject.access_token, audience: '__proto__' },
      { subject_token: subject.access_token, audience: ['constructor', 'toString'] },
      { subject_token: subject.access_token, audience: Array.from({ length: 300 }, (_, i) => `client-${i}`) },
      { subject_token: subject.access_token, audience: '' },
      { subject_token: 'x'.repeat(20_000) },
      { subject_token: `${subject.access_token}x` },
      { subject_token: subject.refresh_token },
      { subject_token: (await subjectToken('openid')).access_token.split('.').slice(0, 2).join('.') + '.' },
      { subject_token: subject.access_token, requested_token_type: '__proto__' },
      { subject_token: subject.access_token, scope: '__proto__ constructor' },
      { subject_token: subject.access_token, subject_token_type: '__proto__' },
    ];
    for (const fields of cases) {
      const { status, body } = await asRequester(fields);
      assert.ok(status === 400 || status === 403, `${status} ${JSON.stringify(body)}`);
      assert.equal(typeof body.error, 'string');
      assert.equal(typeof body.error_description, 'string');
    }
    // An ID token is no access token.
    const { body } = await post({ client_id: 'initial', client_secret: 'initial-secret', grant_type: 'password', username: 'alice', password: 'alice-pw', scope: 'openid' });
    assert.deepEqual(await asRequester({ subject_token: body.id_token }), { status: 400, body: { error: 'invalid_request', error_description: 'Invalid token' } });
    // Other grants still refuse repeated parameters, and a grant_type naming a prototype key is unknown.
    assert.deepEqual(await post({ grant_type: 'password', client_id: 'initial', client_secret: 'initial-secret', audience: ['a', 'b'] }), { status: 400, body: { error: 'invalid_request', error_description: 'duplicated parameter' } });
    assert.equal((await post({ grant_type: '__proto__', client_id: 'initial', client_secret: 'initial-secret', audience: ['a', 'b'] })).status, 400);
  });

  it('refuses a revoked and an expired subject token', async () => {
    const subject = await subjectToken();
    await oidc.tokenRevocation(await oidc.discovery(new URL(issuer), 'initial', {}, oidc.ClientSecretPost('initial-secret'), { execute: [oidc.allowInsecureRequests] }), subject.access_token);
    assert.deepEqual(await asRequester({ subject_token: subject.access_token }), { status: 400, body: { error: 'invalid_request', error_description: 'Invalid token' } });
    const other = await subjectToken();
    clock.advanceSeconds(301);
    try {
      assert.deepEqual(await asRequester({ subject_token: other.access_token }), { status: 400, body: { error: 'invalid_request', error_description: 'Invalid token' } });
    } finally {
      clock.advanceSeconds(-301);
    }
  });

  it('records TOKEN_EXCHANGE and TOKEN_EXCHANGE_ERROR events with Keycloak details', async () => {
    await server.holdfast.ctx.events.writer.flush();
    const events = await kc.realms.findEvents({ realm: REALM, type: ['TOKEN_EXCHANGE', 'TOKEN_EXCHANGE_ERROR'] as never, max: 200 });
    const ok = events.find((e) => e.type === 'TOKEN_EXCHANGE' && e.details?.audience === 'target' && e.details?.requested_token_type === ACCESS);
    assert.ok(ok, 'a successful exchange');
    assert.equal(ok.clientId, 'requester');
    assert.equal(ok.details?.subject_token_client_id, 'initial');
    assert.equal(ok.details?.auth_method, 'token_exchange');
    assert.equal(ok.details?.requested_token_type, ACCESS);
    assert.equal(ok.details?.grant_type, GRANT);
    const denied = events.find((e) => e.type === 'TOKEN_EXCHANGE_ERROR' && e.error === 'not_allowed');
    assert.equal(denied?.details?.reason, 'client is not within the token audience');
    const invalid = events.find((e) => e.type === 'TOKEN_EXCHANGE_ERROR' && e.error === 'invalid_token');
    assert.equal(invalid?.details?.reason, 'subject_token validation failure');
  });
});
