/** The logout confirmation page and the "You are logged out" page. */
import type { FastifyReply } from 'fastify';
import { PAGE_HEADERS, escapeHtml, page } from '../../http/html.ts';

export function sendConfirmation(reply: FastifyReply, action: string, logoutCode: string): FastifyReply {
  const body = `<h1 id="kc-page-title">Logging out</h1>
<p class="instruction">Do you want to log out?</p>
<form id="kc-logout-confirm" method="post" action="${escapeHtml(action)}">
  <input type="hidden" name="session_code" value="${escapeHtml(logoutCode)}">
  <input class="kc-login" name="confirmLogout" id="kc-logout" type="submit" value="Logout">
</form>`;
  return reply.code(200).headers(PAGE_HEADERS).send(page('Logging out', body));
}

export function sendLoggedOut(reply: FastifyReply): FastifyReply {
  return reply
    .code(200)
    .headers(PAGE_HEADERS)
    .send(page('You are logged out', '<h1 id="kc-page-title">You are logged out</h1>'));
}
