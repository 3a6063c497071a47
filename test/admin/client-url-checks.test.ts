/**
 * The URL settings of a client are checked as Keycloak checks them, with its messages (the admin
 * console shows them next to the field): redirect URIs, post-logout redirect URIs, root, base,
 * admin and backchannel logout URLs; and `/admin/serverinfo` gives each mapper type the properties
 * the console builds its mapper form from.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminRequest, masterToken, startAdminServer, type AdminServer } from './admin-support.ts';

describe('admin API: client URL checks', () => {
  let server: AdminServer;
  let token: string;
  let n = 0;

  before(async () => {
    server = await startAdminServer();
    token = await masterToken(server.url);
  });
  after(() => server.close());

  const create = (rep: Record<string, unknown>) => adminRequest(server.url, token, 'POST', '/demo/clients', { clientId: `url-check-${++n}`, ...rep });

  it("refuses what Keycloak refuses, with Keycloak's messages", async () => {
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ redirectUris: ['not a uri'] }, 'A redirect URI is not a valid URI'],
      [{ redirectUris: ['http://ok.test/c\u2028b'] }, 'A redirect URI is not a valid URI'],
      [{ redirectUris: ['javascript:alert(1)'] }, 'A redirect URI uses an illegal scheme'],
      [{ redirectUris: ['data:text/html,x'] }, 'A redirect URI uses an illegal scheme'],
      [{ redirectUris: ['http://ok.test/#frag'] }, 'A redirect URI must not contain an URL fragment'],
      [{ rootUrl: 'not a url' }, 'Root URL is not a valid URL'],
      [{ rootUrl: '/relative' }, 'Root URL is not a valid URL'],
      [{ rootUrl: 'javascript:x' }, 'Root URL uses an illegal scheme'],
      [{ baseUrl: 'not a url' }, 'Base URL is not a valid URL'],
      [{ adminUrl: 'not a url' }, 'Admin URL is not a valid URL'],
      [{ attributes: { 'backchannel.logout.url': 'not a url' } }, 'Backchannel logout URL is not a valid URL'],
      [{ attributes: { 'post.logout.redirect.uris': 'http://ok.test/##not a uri' } }, 'A post-logout redirect URI is not a valid URI'],
    ];
    for (const [rep, message] of refused) {
      const response = await create(rep);
      assert.deepEqual([response.status, response.body], [400, { error: 'invalid_input', error_description: message }], JSON.stringify(rep));
    }
  });

  it('accepts wildcards, relative URIs, custom schemes and placeholders', async () => {
    const accepted = [
      { redirectUris: ['*'] },
      { redirectUris: ['http://app.test/*', '/relative', 'myapp:/callback'] },
      { rootUrl: '${authBaseUrl}', baseUrl: '/realms/demo/account/' },
      { rootUrl: 'ftp://files.test' },
      { attributes: { 'post.logout.redirect.uris': '+' } },
    ];
    for (const rep of accepted) assert.equal((await create(rep)).status, 201, JSON.stringify(rep));
    // An update is checked the same way.
    const list = await adminRequest(server.url, token, 'GET', `/demo/clients?clientId=url-check-${n}`);
    const update = await adminRequest(server.url, token, 'PUT', `/demo/clients/${list.body[0].id}`, { redirectUris: ['not a uri'] });
    assert.deepEqual([update.status, update.body.error_description], [400, 'A redirect URI is not a valid URI']);
  });

  it('lists the properties of every mapper type in /admin/serverinfo', async () => {
    const info = (await (await fetch(`${server.url}/admin/serverinfo`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    const types = info.protocolMapperTypes['openid-connect'] as Array<{ id: string; name: string; properties: Array<{ name: string; label: string; type: string; defaultValue?: string; options?: string[]; required: boolean }> }>;
    const hardcoded = types.find((t) => t.id === 'oidc-hardcoded-claim-mapper')!;
    assert.equal(hardcoded.name, 'Hardcoded claim');
    assert.deepEqual(
      hardcoded.properties.map((p) => p.name),
      ['claim.name', 'claim.value', 'jsonType.label', 'id.token.claim', 'access.token.claim', 'lightweight.claim', 'userinfo.token.claim', 'access.tokenResponse.claim', 'introspection.token.claim'],
    );
    assert.equal(hardcoded.properties[0].required, true);
    assert.deepEqual(hardcoded.properties[2].options, ['String', 'long', 'int', 'boolean', 'JSON']);
    const audience = types.find((t) => t.id === 'oidc-audience-mapper')!;
    assert.deepEqual(audience.properties.map((p) => [p.name, p.type, p.defaultValue]).slice(0, 3), [
      ['included.client.audience', 'ClientList', undefined],
      ['included.custom.audience', 'String', undefined],
      ['id.token.claim', 'boolean', 'false'],
    ]);
    assert.deepEqual(types.find((t) => t.id === 'oidc-sub-mapper')!.properties.map((p) => p.name), ['access.token.claim', 'lightweight.claim', 'introspection.token.claim']);
    for (const type of types) for (const p of type.properties) assert.ok(p.name && p.label && p.type, `${type.id} ${p.name}`);
  });
});
