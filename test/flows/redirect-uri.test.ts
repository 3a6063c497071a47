/** Redirect-URI matching: exact, Keycloak's trailing `*`, and the tricks that must not pass. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientDefaults, verifyRedirectUri, allowedOrigins, postLogoutRedirectUris } from '../../src/realm/index.ts';
import type { Client } from '../../src/realm/index.ts';

const client = (redirectUris: string[], extra: Partial<Client> = {}): Client => ({ ...clientDefaults(), id: 'c', realmId: 'r', clientId: 'app', redirectUris, ...extra });

describe('redirect URIs', () => {
  it('matches exactly or by a trailing wildcard only', () => {
    const exact = client(['https://app.example/cb']);
    assert.ok(verifyRedirectUri(exact, 'https://app.example/cb'));
    for (const bad of ['https://app.example/cb2', 'https://app.example/cb/x', 'https://app.example/cb?x=1', 'http://app.example/cb', 'https://APP.example.evil/cb']) {
      assert.equal(verifyRedirectUri(exact, bad), undefined, bad);
    }
    const wildcard = client(['https://app.example/*']);
    assert.ok(verifyRedirectUri(wildcard, 'https://app.example/any/path?x=1'));
    for (const bad of [
      'https://app.example.evil.com/',
      'https://app.example@evil.com/',
      'https://user:pw@app.example/x',
      'https://app.example/../../evil',
      'https://app.example/x#fragment',
      'javascript:alert(1)//https://app.example/',
      'data:text/html,hi',
      'not a uri',
    ]) {
      const verified = verifyRedirectUri(wildcard, bad);
      assert.ok(verified === undefined || verified.startsWith('https://app.example/'), bad);
      assert.equal(verified === undefined || !verified.includes('evil') || verified.startsWith('https://app.example/'), true);
    }
    assert.equal(verifyRedirectUri(wildcard, 'https://app.example.evil.com/'), undefined);
  });

  it('resolves + in web origins and post-logout URIs to the redirect URIs', () => {
    const c = client(['http://localhost:3000/*', 'https://app.example/cb'], { webOrigins: ['+'], attributes: { 'post.logout.redirect.uris': '+##https://other.example/bye' } });
    assert.deepEqual(allowedOrigins(c), ['http://localhost:3000', 'https://app.example']);
    assert.deepEqual(postLogoutRedirectUris(c), ['http://localhost:3000/*', 'https://app.example/cb', 'https://other.example/bye']);
  });
});
