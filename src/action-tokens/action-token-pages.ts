/**
 * The pages behind an e-mail link: the new-password form (Keycloak's `password-new` and
 * `password-confirm` inputs and `kc-passwd-update-form` id) and the info page that ends a link,
 * with a way back to the application when the link named one.
 */
import type { FastifyReply } from 'fastify';
import { PAGE_HEADERS, escapeHtml, page } from '../http/html.ts';

export function sendPasswordForm(reply: FastifyReply, action: string, key: string, error?: string): FastifyReply {
  const invalid = error ? ' aria-invalid="true"' : '';
  const body = `
<h1 id="kc-page-title">Update password</h1>
<form id="kc-passwd-update-form" method="post" action="${escapeHtml(action)}">
  <input type="hidden" name="key" value="${escapeHtml(key)}">
  <label for="password-new">New Password</label>
  <input id="password-new" name="password-new" type="password" autocomplete="new-password" autofocus${invalid}>
  <label for="password-confirm">Confirm password</label>
  <input id="password-confirm" name="password-confirm" type="password" autocomplete="new-password"${invalid}>
  ${error ? `<span id="input-error-password" class="alert-error" aria-live="polite">${escapeHtml(error)}</span>` : ''}
  <input class="kc-login" id="kc-submit" type="submit" value="Submit">
</form>`;
  return reply.code(error ? 400 : 200).headers(PAGE_HEADERS).send(page('Update password', body));
}

/** `header`: the page's title when it differs from the message (Keycloak's `messageHeader`). */
export function sendInfoPage(reply: FastifyReply, message: string, backTo?: string, header = message): FastifyReply {
  const back = backTo ? `<p><a id="backToApplication" href="${escapeHtml(backTo)}">&laquo; Back to Application</a></p>` : '';
  return reply
    .code(200)
    .headers(PAGE_HEADERS)
    .send(page(header, `<h1 id="kc-page-title">${escapeHtml(header)}</h1><p id="kc-info-message" class="instruction">${escapeHtml(message)}</p>${back}`));
}
