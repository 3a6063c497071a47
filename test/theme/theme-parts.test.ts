/**
 * The pieces of the theme engine on their own: Java properties as Keycloak's bundles are written,
 * Keycloak's message format, language-tag matching and Accept-Language, and localized mails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProperties } from '../../src/theme/properties.ts';
import { formatMessage } from '../../src/theme/message-format.ts';
import { acceptedLanguages, bestMatch, isLanguageTag, nativeName, normalizeTag } from '../../src/theme/locale-match.ts';
import { linkExpiration, renderMail } from '../../src/mail/index.ts';

describe('theme parts', () => {
  it('reads .properties files as Java does', () => {
    const parsed = parseProperties(
      [
        '\uFEFF# comment',
        '! another comment',
        'plain=value with = sign',
        'colon: spaced value  ',
        'spaced   the rest',
        'long=first \\',
        '    second',
        'escaped\\=key=\\u00e9t\\u00E9\\n\\tdone\\\\',
        'empty=',
        '   indented=yes',
      ].join('\r\n'),
    );
    assert.deepEqual({ ...parsed }, {
      plain: 'value with = sign',
      colon: 'spaced value  ',
      spaced: 'the rest',
      long: 'first second',
      'escaped=key': 'été\n\tdone\\',
      empty: '',
      indented: 'yes',
    });
    assert.equal(Object.getPrototypeOf(parseProperties('__proto__=x')), null, 'a key cannot reach the prototype');
  });

  it("formats {n} parameters and '' as Keycloak's messages do", () => {
    assert.equal(formatMessage("Passwords don''t match."), "Passwords don't match.");
    assert.equal(formatMessage('Sign in to {0}', ['demo']), 'Sign in to demo');
    assert.equal(formatMessage('{1} of {0}, {2}', ['a', 'b']), 'b of a, {2}');
    assert.equal(formatMessage('{0}', ['{1}', 'x']), '{1}', 'a parameter is not formatted again');
  });

  it('matches language tags as Keycloak does', () => {
    const supported = ['en', 'de', 'pt-BR', 'ja', 'zh-TW'];
    assert.equal(bestMatch(supported, ['pt']), 'pt-BR');
    assert.equal(bestMatch(supported, ['pt-PT']), undefined);
    assert.equal(bestMatch(supported, ['de-AT', 'en']), 'de');
    assert.equal(bestMatch(['pt', 'pt-BR'], ['pt-BR']), 'pt-BR', 'the exact region wins');
    assert.equal(bestMatch(supported, ['xx', 'ja']), 'ja');
    assert.equal(bestMatch(supported, ['<script>', '']), undefined);
    assert.equal(normalizeTag('pt_br'), 'pt-BR');
    assert.equal(isLanguageTag('de'), true);
    assert.equal(isLanguageTag('a'.repeat(40)), false);
    assert.equal(isLanguageTag('en"><x'), false);
  });

  it('orders Accept-Language by q and bounds it', () => {
    assert.deepEqual(acceptedLanguages('fr;q=0.5, de-CH, en;q=0.8, *;q=0.1, it;q=0'), ['de-CH', 'en', 'fr']);
    assert.deepEqual(acceptedLanguages('x'.repeat(2000)), []);
    assert.deepEqual(acceptedLanguages(undefined), []);
    assert.equal(acceptedLanguages(Array.from({ length: 100 }, () => 'de').join(',')).length, 20);
  });

  it("names each language in itself, for the picker", () => {
    assert.equal(nativeName('de'), 'Deutsch');
    assert.equal(nativeName('ja'), '日本語');
    assert.equal(nativeName('pt-BR'), 'Português (Brasil)');
  });

  it('writes mails in the six languages, escaping parameters in HTML', () => {
    const link = 'https://id.example/x?a=1&b=<2>';
    const german = renderMail('passwordReset', 'd@example.com', [link, linkExpiration(300, 'de'), 'Demo'], 'de');
    assert.equal(german.subject, 'Passwort zurücksetzen');
    assert.match(german.text, /Der Link ist 5 Minuten lang gültig\./);
    assert.match(String(german.html), /href="https:\/\/id\.example\/x\?a=1&#38;b=&#60;2&#62;"/);
    assert.equal(renderMail('executeActions', 'd@example.com', [link, '1', 'Demo', 'x'], 'pt-BR').subject, 'Atualize sua conta');
    assert.equal(renderMail('emailVerification', 'd@example.com', [link, '1', 'Demo'], 'ja').subject, 'メールアドレスの確認');
    assert.equal(renderMail('emailVerification', 'd@example.com', [link, '1', 'Demo'], 'fr').subject, 'Vérifiez votre adresse e-mail');
    assert.equal(renderMail('emailVerification', 'd@example.com', [link, '1', 'Demo'], 'es').subject, 'Verifique su dirección de correo electrónico');
    assert.equal(renderMail('emailVerification', 'd@example.com', [link, '1', 'Demo'], 'it').subject, 'Verify your e-mail address');
    assert.equal(renderMail('emailVerification', 'd@example.com', [link, '1', 'Demo'], '__proto__').subject, 'Verify your e-mail address');
  });
});
