/**
 * HTML escaping, the headers of every page, and a bare page for what the login theme (src/theme)
 * does not render: the `form_post` response (a bare page in Keycloak too) and the last-resort error
 * page when a theme fails. Pages forbid framing except where Keycloak's iframes need it.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`=\/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f0f0f0;margin:0}
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:6px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}
input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
.kc-login{margin-top:1rem;width:100%;padding:.6rem;background:#06c;color:#fff;border:0;border-radius:3px;font-size:1rem}
#input-error,.alert-error{color:#c9190b}.alert-info{color:#06c}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

/** Headers for pages that must never be framed or cached. */
export const PAGE_HEADERS = {
  'content-type': 'text/html;charset=utf-8',
  'cache-control': 'no-store, must-revalidate, max-age=0',
  'x-frame-options': 'SAMEORIGIN',
  'content-security-policy': "frame-src 'self'; frame-ancestors 'self'; object-src 'none';",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function errorPage(message: string): string {
  return page('We are sorry...', `<h1 id="kc-page-title">We are sorry...</h1><p id="kc-error-message" class="instruction">${escapeHtml(message)}</p>`);
}
