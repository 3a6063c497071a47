/**
 * The pages keycloak-js loads in hidden iframes with its default `init()`:
 * - `3p-cookies/step1.html` → `step2.html`: is a third-party cookie kept? Posts "supported" or
 *   "unsupported" to the parent.
 * - `login-status-iframe.html`: answers "unchanged", "changed" or "error" to "<clientId> <sid>"
 *   messages by comparing the sid's SHA-256 with the `KEYCLOAK_SESSION` cookie; its `/init` call
 *   checks that the asking origin is one of the client's web origins or holdfast's own origin (as
 *   Keycloak: the account console, with no web origins, checks its session from its own pages).
 * These pages are meant to be framed, so they carry no frame-ancestors restriction.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { baseUrl } from '../../http/base-url.ts';
import { resolveRealm } from '../../http/realm-route.ts';
import { readParams } from '../../http/form.ts';
import { isOriginAllowed } from '../../realm/redirect-uri.ts';

const FRAME_HEADERS = { 'content-type': 'text/html;charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };

// As in Keycloak, the SameSite=None cookie is tried wherever the browser may take it (https and
// loopback hosts, see http/cookies.ts); elsewhere the browser drops it and the Lax one decides.
const STEP1 = `<!DOCTYPE html><html><body><script>
  document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=supported; Max-Age=60; SameSite=None; Secure';
  document.cookie = 'KEYCLOAK_3P_COOKIE=supported; Max-Age=60';
  window.location = 'step2.html';
</script></body></html>`;

const STEP2 = `<!DOCTYPE html><html><body><script>
  var supported = document.cookie.indexOf('KEYCLOAK_3P_COOKIE') !== -1;
  document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=; Max-Age=0; SameSite=None; Secure';
  document.cookie = 'KEYCLOAK_3P_COOKIE=; Max-Age=0';
  window.parent.postMessage(supported ? 'supported' : 'unsupported', '*');
</script></body></html>`;

const STATUS_IFRAME = `<!DOCTYPE html><html><body><script>
(function () {
  var allowedOrigins = {};
  function cookie(name) {
    var parts = document.cookie.split('; ');
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].substring(0, eq) === name) return parts[i].substring(eq + 1);
    }
    return null;
  }
  function base64url(buffer) {
    var bytes = new Uint8Array(buffer), text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  function check(sessionState) {
    var current = cookie('KEYCLOAK_SESSION');
    if (!current) return Promise.resolve(sessionState ? 'changed' : 'unchanged');
    if (!sessionState) return Promise.resolve('changed');
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(sessionState)).then(function (hash) {
      return base64url(hash) === current ? 'unchanged' : 'changed';
    });
  }
  function originAllowed(clientId, origin) {
    var key = clientId + '|' + origin;
    if (!(key in allowedOrigins)) {
      allowedOrigins[key] = fetch('login-status-iframe.html/init?client_id=' + encodeURIComponent(clientId) + '&origin=' + encodeURIComponent(origin), { credentials: 'include' })
        .then(function (response) { return response.status === 204; }, function () { delete allowedOrigins[key]; return false; });
    }
    return allowedOrigins[key];
  }
  window.addEventListener('message', function (event) {
    var origin = event.origin, source = event.source;
    if (typeof event.data !== 'string' || !source) return;
    var data = event.data.split(' ');
    if (data.length !== 2) return;
    originAllowed(data[0], origin).then(function (allowed) {
      if (!allowed) return 'error';
      return check(data[1]);
    }).then(function (result) { source.postMessage(result, origin); }, function () { source.postMessage('error', origin); });
  }, false);
})();
</script></body></html>`;

export async function iframeRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const base = '/realms/:realm/protocol/openid-connect';
  const html = (body: string) => async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    await resolveRealm(ctx, request);
    return reply.headers(FRAME_HEADERS).send(body);
  };
  app.get(`${base}/3p-cookies/step1.html`, { config: { endpoint: '3p-cookies' } }, html(STEP1));
  app.get(`${base}/3p-cookies/step2.html`, { config: { endpoint: '3p-cookies' } }, html(STEP2));
  app.get(`${base}/login-status-iframe.html`, { config: { endpoint: 'login-status-iframe' } }, html(STATUS_IFRAME));

  app.get(`${base}/login-status-iframe.html/init`, { config: { endpoint: 'login-status-iframe' } }, async (request, reply) => {
    const { realm } = await resolveRealm(ctx, request);
    const params = readParams(request, 'query');
    const client = realm.clientsByClientId.get(params.get('client_id') ?? '');
    const origin = params.get('origin');
    const ownOrigin = new URL(baseUrl(request, ctx.config)).origin;
    if (!client || !client.enabled || !origin || (origin !== ownOrigin && !isOriginAllowed(client, origin))) return reply.code(403).send();
    return reply.code(204).send();
  });
}
