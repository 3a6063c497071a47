/**
 * The `scope` parameter against the realm's client scopes (issue #12.2), through app.inject on the
 * demo realm: optional scopes only when asked for, `openid` first when asked, scopes whose
 * `include.in.token.scope` is false granted but not listed, unknown scopes refused with Keycloak's
 * `invalid_scope` at the token endpoint and at /auth, the granted `scope` in the token response,
 * the tokens, introspection and refresh (which may narrow, never widen); a change to the scopes
 * reaches the next request; and a database of the release before client scopes gets the
 * built-in scopes on upgrade, so tokens keep their `scope`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { newId } from '../../src/crypto/index.ts';
import { DEMO, DEMO_APP_AUTH_QUERY, decodeJwt, form, testApp, type TestApp } from '../support/app.ts';
import { tempDir } from '../support/process.ts';
import { undoMigrationsFrom } from '../support/undo-migrations.ts';

const SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
const ALICE = { grant_type: 'password', username: 'alice', password: 'alice', ...SERVICE };

async function token(t: TestApp, fields: Record<string, string>) {
  const response = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form(fields) });
  return { status: response.statusCode, body: response.json() };
}

describe('client scopes and the scope parameter', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(async () => {
    await t.close();
  });

  it('grants default scopes always and optional ones when asked, listing what Keycloak lists', async () => {
    const plain = await token(t, { ...ALICE, scope: 'openid' });
    assert.equal(plain.status, 200);
    assert.equal(plain.body.scope, 'openid profile email');
    for (const jwt of [plain.body.access_token, plain.body.refresh_token]) assert.equal(decodeJwt(jwt).scope, 'openid profile email');
    // roles, web-origins, acr and basic are granted (their claims are there) but not listed.
    const claims = decodeJwt(plain.body.access_token);
    assert.ok(claims.realm_access && claims.sid && claims.acr);

    const phone = await token(t, { ...ALICE, scope: 'phone openid address' });
    assert.equal(phone.body.scope, 'openid profile email phone address');
    const noOpenid = await token(t, { ...ALICE, scope: 'phone' });
    assert.equal(noOpenid.body.scope, 'profile email phone');
    assert.equal(noOpenid.body.id_token, undefined);
    // Asking for a default scope changes nothing; asking twice neither.
    assert.equal((await token(t, { ...ALICE, scope: 'openid email email' })).body.scope, 'openid profile email');
  });

  it('refuses unknown scopes with invalid_scope at the token endpoint and at /auth', async () => {
    const refused = await token(t, { ...ALICE, scope: 'openid nope' });
    assert.deepEqual({ status: refused.status, ...refused.body }, { status: 400, error: 'invalid_scope', error_description: 'Invalid scopes: openid nope' });
    const credentials = await token(t, { grant_type: 'client_credentials', ...SERVICE, scope: 'roles nope' });
    assert.deepEqual(credentials.body, { error: 'invalid_scope', error_description: 'Invalid scopes: roles nope' });

    const query = new URLSearchParams(DEMO_APP_AUTH_QUERY);
    query.set('scope', 'openid nope');
    query.set('state', 's1');
    const auth = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}` });
    assert.equal(auth.statusCode, 302);
    const location = new URL(auth.headers.location as string);
    const { iss, ...answer } = Object.fromEntries(location.searchParams);
    assert.deepEqual(answer, { error: 'invalid_scope', error_description: 'Invalid scopes: openid nope', state: 's1' });
    assert.match(iss, /\/realms\/demo$/);
  });

  it('keeps the granted scope through introspection and refresh, narrowing when asked, never widening', async () => {
    const issued = await token(t, { ...ALICE, scope: 'openid phone' });
    const introspection = await t.app.inject({ method: 'POST', url: `${DEMO}/token/introspect`, ...form({ token: issued.body.access_token, ...SERVICE }) });
    assert.equal(introspection.json().active, true);
    assert.equal(introspection.json().scope, 'openid profile email phone');

    const same = await token(t, { grant_type: 'refresh_token', refresh_token: issued.body.refresh_token, ...SERVICE });
    assert.equal(same.body.scope, 'openid profile email phone');
    const narrowed = await token(t, { grant_type: 'refresh_token', refresh_token: same.body.refresh_token, ...SERVICE, scope: 'openid' });
    assert.equal(narrowed.body.scope, 'openid profile email');
    assert.equal(decodeJwt(narrowed.body.access_token).scope, 'openid profile email');
    // The refresh token keeps the scope it was issued with.
    assert.equal(decodeJwt(narrowed.body.refresh_token).scope, 'openid profile email phone');
    const wider = await token(t, { grant_type: 'refresh_token', refresh_token: narrowed.body.refresh_token, ...SERVICE, scope: 'openid phone address' });
    assert.equal(wider.body.scope, 'openid profile email phone');
  });

  it('follows changes to the scopes: a new optional scope left out of the scope string, a removed default', async () => {
    const repository = t.ctx.realms.repository;
    const realm = (await t.ctx.realms.getRealm('demo'))!;
    const client = realm.clientsByClientId.get('demo-service')!;
    await repository.createClientScopes([
      { id: newId(), realmId: realm.realm.id, name: 'quiet', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'false' }, protocolMappers: [], scopeMappings: [], position: 100 },
      { id: newId(), realmId: realm.realm.id, name: 'saml-only', protocol: 'saml', attributes: {}, protocolMappers: [], scopeMappings: [], position: 101 },
    ]);
    await repository.updateClient({ ...client, defaultClientScopes: client.defaultClientScopes.filter((s) => s !== 'email'), optionalClientScopes: [...client.optionalClientScopes, 'quiet', 'saml-only'] });
    await t.ctx.realms.realmChanged(realm.realm.id);

    const quiet = await token(t, { ...ALICE, scope: 'openid quiet' });
    assert.equal(quiet.status, 200, JSON.stringify(quiet.body));
    assert.equal(quiet.body.scope, 'openid profile');
    assert.equal(decodeJwt(quiet.body.access_token).email, undefined);
    // A scope of another protocol is no scope of this client.
    assert.equal((await token(t, { ...ALICE, scope: 'openid saml-only' })).body.error, 'invalid_scope');
    await repository.updateClient(client);
    await t.ctx.realms.realmChanged(realm.realm.id);
    assert.equal((await token(t, { ...ALICE, scope: 'openid' })).body.scope, 'openid profile email');
  });

  it('asks for offline_access like any optional scope, and still needs the offline_access role', async () => {
    const offline = await token(t, { ...ALICE, scope: 'openid offline_access' });
    assert.equal(offline.status, 200);
    assert.equal(offline.body.scope, 'openid profile email offline_access');
    assert.equal(decodeJwt(offline.body.refresh_token).typ, 'Offline');
  });
});

describe('client scopes on upgrade', () => {
  it('gives the realms of a database from before client scopes the built-in scopes, and tokens their scope', async () => {
    const dataDir = tempDir('holdfast-scopes-upgrade-');
    try {
      let t = await testApp({ dataDir });
      const before = await token(t, { ...ALICE, scope: 'openid phone' });
      await t.close();
      // Back to the release before: no client_scope table, migrations 006 and 007 (which needs it) not run.
      const file = fs.readdirSync(dataDir).find((f) => f.endsWith('.db') || f.endsWith('.sqlite'))!;
      const db = new Database(`${dataDir}/${file}`);
      undoMigrationsFrom(db, '006-client-scopes');
      db.close();

      t = await testApp({ dataDir });
      const after = await token(t, { ...ALICE, scope: 'openid phone' });
      assert.equal(after.body.scope, before.body.scope);
      assert.equal(after.body.scope, 'openid profile email phone');
      const realm = (await t.ctx.realms.getRealm('demo'))!;
      assert.equal(realm.clientScopesById.size, 11);
      await t.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
