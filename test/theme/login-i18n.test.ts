/**
 * The login pages in the visitor's language, as Keycloak picks it: realm i18n off means English;
 * on, `kc_locale` (picked on a page, kept for the login and in KEYCLOAK_LOCALE), the user's
 * `locale` attribute, `ui_locales`, the cookie, Accept-Language, then `defaultLocale`. Realm
 * localization texts override the theme's. Every interpolated value is escaped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, form, testApp, type TestApp } from '../support/app.ts';
import { adminHeaders, InjectJar, loginAction } from '../support/inject-browser.ts';
import { formActionOf, textOf } from '../authn/login-browser.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';

const REDIRECT = 'http://localhost:3000/cb';
const LOCALES = ['en', 'de', 'fr', 'es', 'pt-BR', 'ja'];
const decode = (text: string) => text.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

describe('login pages in the visitor\'s language', () => {
  let t: TestApp;
  let admin: { authorization: string };

  const adminCall = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown, contentType = 'application/json') =>
    t.app.inject({ method, url: `/admin/realms/demo${path}`, headers: { ...admin, 'content-type': contentType }, payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const setRealm = async (rep: Record<string, unknown>) => assert.equal((await adminCall('PUT', '', rep)).statusCode, 204);
  const aliceId = async () => (await adminCall('GET', '/users?username=alice&exact=true')).json()[0].id as string;

  async function open(jar: InjectJar, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', ...extra });
    const page = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}`, headers: { cookie: jar.header(), ...headers } });
    jar.store(page);
    return page;
  }
  async function get(jar: InjectJar, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const page = await t.app.inject({ method: 'GET', url, headers: { cookie: jar.header(), ...headers } });
    jar.store(page);
    return page;
  }
  async function post(jar: InjectJar, url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const body = form(fields);
    const page = await t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, cookie: jar.header() } });
    jar.store(page);
    return page;
  }
  const pickerLinks = (html: string) => Object.fromEntries([...html.matchAll(/<a class="kc-locale-item" href="([^"]+)" hreflang="([^"]+)"/g)].map((m) => [m[2], decode(m[1])]));

  before(async () => {
    t = await testApp();
    admin = await adminHeaders(t);
  });
  after(() => t.close());

  it('shows English while the realm has i18n off, whatever the browser asks for', async () => {
    const page = await open(new InjectJar(), { ui_locales: 'de' }, { 'accept-language': 'fr' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="en">/);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Sign in to your account');
    assert.match(page.body, /<label for="username">Username or email<\/label>/);
    assert.match(page.body, /<label for="password">Password<\/label>/);
    assert.match(page.body, /id="kc-login" type="submit" value="Sign In"/);
    assert.doesNotMatch(page.body, /id="kc-locale"/, 'no language picker without i18n');
  });

  it('ui_locales=de renders German, with a language picker that keeps the login', async () => {
    await setRealm({ internationalizationEnabled: true, supportedLocales: LOCALES, defaultLocale: 'en' });
    const jar = new InjectJar();
    const page = await open(jar, { ui_locales: 'de' });
    assert.match(page.body, /<html lang="de">/);
    assert.equal(textOf(page.body, 'kc-page-title'), 'Melden Sie sich bei Ihrem Konto an');
    assert.match(page.body, /<label for="username">Benutzername oder E-Mail<\/label>/);
    assert.match(page.body, /value="Anmelden"/);
    assert.match(page.body, /id="kc-locale"/);
    assert.match(page.body, /id="kc-current-locale-link"[^>]*>.*Deutsch/);
    const links = pickerLinks(page.body);
    assert.deepEqual(Object.keys(links), LOCALES);

    // kc_locale from the picker: the same login, now in French, remembered in the tab and the cookie.
    const french = await get(jar, new URL(links.fr).pathname + new URL(links.fr).search);
    assert.equal(french.statusCode, 200);
    assert.match(french.body, /<html lang="fr">/);
    assert.equal(textOf(french.body, 'kc-page-title'), 'Connectez-vous à votre compte');
    assert.equal(jar.cookies.get('KEYCLOAK_LOCALE')?.value, 'fr');
    assert.equal(jar.cookies.get('KEYCLOAK_LOCALE')?.attributes.httpOnly, true);
    const wrong = await post(jar, formActionOf(french.body, 'kc-form-login'), { username: 'alice', password: 'nope' });
    assert.equal(textOf(wrong.body, 'input-error'), "Nom d'utilisateur ou mot de passe incorrect.", 'the next page of the login stays French');

    // The cookie alone picks French for a new login of this browser (over Accept-Language).
    const again = await open(jar, {}, { 'accept-language': 'ja' });
    assert.match(again.body, /<html lang="fr">/);
  });

  it('follows Accept-Language, matches pt to pt-BR, and falls back to the default locale', async () => {
    assert.match((await open(new InjectJar(), {}, { 'accept-language': 'ja;q=0.9, xx;q=1' })).body, /<html lang="ja">[\s\S]*アカウントにサインイン/);
    assert.match((await open(new InjectJar(), {}, { 'accept-language': 'pt' })).body, /<html lang="pt-BR">[\s\S]*Entre na sua conta/);
    assert.match((await open(new InjectJar(), {}, { 'accept-language': 'es-MX' })).body, /<html lang="es">[\s\S]*Inicie sesión en su cuenta/);
    await setRealm({ defaultLocale: 'es' });
    assert.match((await open(new InjectJar(), {}, { 'accept-language': 'it' })).body, /<html lang="es">/);
    await setRealm({ defaultLocale: 'en' });
    // A locale the realm does not support is never taken, from any source.
    assert.match((await open(new InjectJar(), { ui_locales: 'it', kc_locale: 'it' })).body, /<html lang="en">/);
  });

  it('ui_locales=de renders the registration page and the consent page in German, realm texts included', async () => {
    await setRealm({ internationalizationEnabled: true, supportedLocales: LOCALES, defaultLocale: 'en', registrationAllowed: true });
    assert.equal((await adminCall('PUT', '/localization/de/registerTitle', 'Neues Konto', 'text/plain')).statusCode, 204);
    const jar = new InjectJar();
    const register = await open(jar, { ui_locales: 'de', prompt: 'create' });
    assert.equal(register.statusCode, 200);
    assert.match(register.body, /<html lang="de">/);
    assert.equal(textOf(register.body, 'kc-page-title'), 'Neues Konto', "the realm's German text over the theme's");
    assert.match(register.body, /<label for="firstName">Vorname<\/label>/);
    assert.match(register.body, /<label for="password-confirm">Passwort bestätigen<\/label>/);
    assert.match(register.body, /« Zurück zur Anmeldung<\/a>/);
    assert.match(register.body, /id="kc-register" type="submit" value="Registrieren"/);
    const refused = await post(jar, formActionOf(register.body, 'kc-register-form'), { firstName: '', lastName: 'Weber', email: 'hanna@example.com', username: '', password: 'x', 'password-confirm': 'y' });
    assert.equal(textOf(refused.body, 'input-error-username'), 'Bitte geben Sie einen Benutzernamen an.');
    assert.equal(textOf(refused.body, 'input-error-firstName'), 'Bitte füllen Sie dieses Feld aus.');
    assert.equal(textOf(refused.body, 'input-error-password-confirm'), 'Die Passwortbestätigung stimmt nicht überein.');
    assert.match(refused.body, /id="firstName" name="firstName" type="text" class="kc-input" value=""[^>]* aria-invalid="true" aria-describedby="input-error-firstName"/);
    assert.match(refused.body, /id="lastName" name="lastName" type="text" class="kc-input" value="Weber"/);

    const created = await adminCall('POST', '/clients', { clientId: 'i18n-consent', publicClient: true, consentRequired: true, redirectUris: [REDIRECT] });
    assert.equal(created.statusCode, 201, created.body);
    const consentJar = new InjectJar();
    const login = await open(consentJar, { ui_locales: 'de', client_id: 'i18n-consent', scope: 'openid profile email' });
    const consent = await post(consentJar, loginAction(login.body), { username: 'alice', password: 'alice' });
    assert.equal(consent.statusCode, 200, consent.body);
    assert.match(consent.body, /<html lang="de">/);
    assert.equal(textOf(consent.body, 'kc-page-title'), 'Zugriff für i18n-consent gewähren');
    assert.match(consent.body, /Möchten Sie diese Zugriffsrechte gewähren\?/);
    assert.deepEqual([...consent.body.matchAll(/<li><span>([^<]*)<\/span><\/li>/g)].map((m) => m[1]), ['Benutzerrollen', 'Benutzerprofil', 'E-Mail-Adresse']);
    assert.match(consent.body, /name="accept" type="submit" value="Ja"/);
    assert.match(consent.body, /name="cancel" type="submit" value="Nein"/);
    const denied = await post(consentJar, formActionOf(consent.body, 'kc-oauth'), { cancel: 'Nein' });
    assert.equal(denied.statusCode, 302);
    assert.equal(new URL(denied.headers.location as string).searchParams.get('error'), 'access_denied');
    assert.equal((await adminCall('DELETE', '/localization/de/registerTitle')).statusCode, 204);
    await setRealm({ registrationAllowed: false });
  });

  it("prefers the user's locale attribute to ui_locales once the user is known, and keeps a picked one", async () => {
    await setRealm({ internationalizationEnabled: true, supportedLocales: LOCALES, defaultLocale: 'en' });
    const id = await aliceId();
    const user = (await adminCall('GET', `/users/${id}`)).json();
    const action = (await adminCall('GET', '/authentication/required-actions/TERMS_AND_CONDITIONS')).json();
    assert.equal((await adminCall('PUT', '/authentication/required-actions/TERMS_AND_CONDITIONS', { ...action, enabled: true })).statusCode, 204);
    const changed = await adminCall('PUT', `/users/${id}`, { attributes: { ...user.attributes, locale: ['es'] }, requiredActions: ['TERMS_AND_CONDITIONS'] });
    assert.equal(changed.statusCode, 204, changed.body);
    const jar = new InjectJar();
    const page = await open(jar, { ui_locales: 'de' });
    assert.match(page.body, /<html lang="de">/, 'before the user is known, ui_locales decides');
    const terms = await post(jar, loginAction(page.body), { username: 'alice', password: 'alice' });
    assert.equal(textOf(terms.body, 'kc-page-title'), 'Términos y condiciones', 'then the user\'s own locale');
    const links = pickerLinks(terms.body);
    const japanese = await get(jar, new URL(links.ja).pathname + new URL(links.ja).search);
    assert.equal(textOf(japanese.body, 'kc-page-title'), '利用規約');
    const done = await post(jar, formActionOf(japanese.body, 'kc-terms-form'), { accept: 'Accept' });
    assert.equal(done.statusCode, 302);
    assert.deepEqual((await adminCall('GET', `/users/${id}`)).json().attributes.locale, ['ja'], 'the picked language becomes the user\'s');
    await adminCall('PUT', `/users/${id}`, { attributes: { ...user.attributes, locale: [] } });
  });

  it('shows realm localization texts over the theme, per locale, and error pages in the language too', async () => {
    assert.equal((await adminCall('PUT', '/localization/de/doLogIn', 'Los geht\'s', 'text/plain')).statusCode, 204);
    assert.equal((await adminCall('PUT', '/localization/en/loginAccountTitle', 'Welcome back', 'text/plain')).statusCode, 204);
    const german = await open(new InjectJar(), { ui_locales: 'de' });
    assert.match(german.body, /value="Los geht&#39;s"/);
    assert.equal(textOf(german.body, 'kc-page-title'), 'Melden Sie sich bei Ihrem Konto an', "the theme's German beats the realm's English");
    const english = await open(new InjectJar(), { ui_locales: 'en' });
    assert.equal(textOf(english.body, 'kc-page-title'), 'Welcome back');
    assert.match(english.body, /value="Sign In"/);

    const error = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?client_id=unknown`, headers: { 'accept-language': 'de' } });
    assert.equal(error.statusCode, 400);
    assert.equal(textOf(error.body, 'kc-page-title'), 'Es tut uns leid …');
    assert.equal(textOf(error.body, 'kc-error-message'), 'Anwendung nicht gefunden.');
    const param = await t.app.inject({ method: 'GET', url: '/realms/demo/protocol/openid-connect/logout?redirect_uri=x', headers: { 'accept-language': 'fr' } });
    assert.equal(textOf(param.body, 'kc-error-message'), 'Paramètre invalide : redirect_uri');
    const logout = await t.app.inject({ method: 'GET', url: '/realms/demo/protocol/openid-connect/logout?ui_locales=ja' });
    assert.equal(textOf(logout.body, 'kc-page-title'), 'ログアウトしました', 'a logout page follows its ui_locales');
  });

  it('answers the effective bundle at /resources/{realm}/{themeType}/{locale} as Keycloak', async () => {
    const bundle = await t.app.inject({ method: 'GET', url: '/resources/demo/login/de', headers: { origin: 'http://app.example' } });
    assert.equal(bundle.statusCode, 200);
    assert.equal(bundle.headers['access-control-allow-origin'], 'http://app.example');
    const entries = bundle.json() as Array<{ key: string; value: string }>;
    assert.ok(entries.every((e) => Object.keys(e).join() === 'key,value'));
    const byKey = new Map(entries.map((e) => [e.key, e.value]));
    assert.equal(byKey.get('doLogIn'), "Los geht's");
    assert.equal(byKey.get('usernameOrEmail'), 'Benutzername oder E-Mail');
    assert.equal(byKey.get('loginAccountTitle'), 'Melden Sie sich bei Ihrem Konto an');
    const sourced = (await t.app.inject({ method: 'GET', url: '/resources/demo/login/de?source=true' })).json() as Array<{ key: string; value: string; source: string }>;
    assert.deepEqual(sourced.find((e) => e.key === 'doLogIn' && e.source === 'THEME')?.value, 'Anmelden');
    assert.deepEqual(sourced.find((e) => e.key === 'doLogIn' && e.source === 'REALM')?.value, "Los geht's");
    assert.equal((await t.app.inject({ method: 'GET', url: '/resources/nope/login/de' })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/resources/demo/bogus/de' })).statusCode, 404);
    const garbage = await t.app.inject({ method: 'GET', url: `/resources/demo/login/${'x'.repeat(300)}` });
    assert.equal(garbage.statusCode, 200);
    assert.equal(new Map((garbage.json() as Array<{ key: string; value: string }>).map((e) => [e.key, e.value])).get('doLogIn'), 'Sign In');
  });

  it('serves theme resources from versioned URLs, immutable, and nothing outside the theme', async () => {
    const page = await open(new InjectJar());
    const css = decode(/<link rel="stylesheet" href="([^"]+)"/.exec(page.body)![1]);
    assert.match(css, /^\/resources\/[0-9a-f]{12}\/login\/holdfast\/css\/login\.css$/);
    const served = await t.app.inject({ method: 'GET', url: css });
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable');
    const old = await t.app.inject({ method: 'GET', url: css.replace(/resources\/[0-9a-f]+/, 'resources/0000') });
    assert.equal(old.statusCode, 200);
    assert.equal(old.headers['cache-control'], 'no-cache', 'another version is served, but not for good');
    for (const bad of ['/resources/v/login/holdfast/../../../package.json', '/resources/v/login/holdfast/%2e%2e/login.eta', '/resources/v/login/holdfast/login.eta', '/resources/v/login/holdfast/messages/messages_en.properties', '/resources/v/login/nope/css/login.css', '/resources/v/account/holdfast/css/login.css', '/resources/v/login/holdfast/css/%00.css']) {
      const response = await t.app.inject({ method: 'GET', url: bad });
      assert.equal(response.statusCode, 404, bad);
    }
  });

  it('escapes every value a page shows', async () => {
    const evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    await setRealm({ displayName: evil });
    assert.equal((await adminCall('PUT', '/localization/en/doForgotPassword', evil, 'text/plain')).statusCode, 204);
    await setRealm({ resetPasswordAllowed: true });
    const jar = new InjectJar();
    const page = await open(jar, { login_hint: evil, ui_locales: `en ${evil}` });
    const wrong = await post(jar, loginAction(page.body), { username: evil, password: 'x' });
    const confirm = await t.app.inject({ method: 'GET', url: `/realms/demo/protocol/openid-connect/logout?${new URLSearchParams({ kc_locale: evil })}`, headers: { 'accept-language': evil } });
    for (const html of [page.body, wrong.body, confirm.body]) {
      assert.doesNotMatch(html, /<script>alert|<img src=x|onerror=alert\(2\)>/);
      assert.match(html, /&#60;script&#62;alert\(1\)&#60;&#47;script&#62;/);
    }
    assert.match(page.body, /value="&#34;&#62;&#60;script&#62;/, 'the login hint, escaped in its attribute');
    await setRealm({ displayName: 'holdfast demo', resetPasswordAllowed: false });
  });

  it('sends the reset mail in the language of the login it came from', async () => {
    const sink = await startSmtpSink();
    try {
      await setRealm({ internationalizationEnabled: true, supportedLocales: LOCALES, resetPasswordAllowed: true, smtpServer: { host: '127.0.0.1', port: String(sink.port), from: 'noreply@example.com' } });
      const id = await aliceId();
      assert.equal((await adminCall('PUT', `/users/${id}`, { email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell' })).statusCode, 204);
      const jar = new InjectJar();
      const page = await open(jar, { ui_locales: 'de' });
      const forgot = await get(jar, decode(/id="kc-forgot-password" href="([^"]+)"/.exec(page.body)![1]).replace(/^https?:\/\/[^/]+/, ''));
      assert.equal(textOf(forgot.body, 'kc-page-title'), 'Passwort vergessen?');
      const sent = await post(jar, formActionOf(forgot.body, 'kc-reset-password-form'), { username: 'alice' });
      assert.equal(textOf(sent.body, 'kc-info-message'), 'Sie erhalten in Kürze eine E-Mail mit weiteren Anweisungen.');
      const mail = await sink.nextMail(1);
      assert.equal(mail.subject, 'Passwort zurücksetzen');
      assert.match(mail.text!, /Der Link ist 5 Minuten lang gültig\./);
    } finally {
      await setRealm({ resetPasswordAllowed: false, smtpServer: {} });
      await sink.stop();
    }
  });

  it('refuses locale settings that are not language tags', async () => {
    assert.equal((await adminCall('PUT', '', { supportedLocales: ['de', '<x>'] })).statusCode, 400);
    assert.equal((await adminCall('PUT', '', { defaultLocale: 'not a tag' })).statusCode, 400);
    assert.equal((await adminCall('PUT', '', { loginTheme: '../etc' })).statusCode, 400);
    const realm = (await adminCall('GET', '')).json();
    assert.equal(realm.internationalizationEnabled, true);
    assert.deepEqual(realm.supportedLocales, LOCALES);
    assert.equal(realm.defaultLocale, 'en');
  });
});
