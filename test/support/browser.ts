/**
 * A scripted browser for login flows over fetch: a cookie jar, the login form scraped from the
 * page (`#kc-form-login`), credentials posted, and the redirect to the client read but not
 * followed (the client's redirect URI is not a server in tests).
 */

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }
}

export async function get(url: string, jar: CookieJar): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.store(response);
  return response;
}

export async function postForm(url: string, form: Record<string, string>, jar: CookieJar): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  jar.store(response);
  return response;
}

export function formAction(html: string): string {
  const match = html.match(/<form id="kc-form-login"[^>]*action="([^"]+)"/);
  if (!match) throw new Error('login form not found in page');
  return match[1].replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

/**
 * Opens the authorization URL, fills in the login form and returns the redirect the server sends
 * to the client (with `code` or `error`), or throws with the page when there is none.
 */
export async function loginThroughForm(authorizationUrl: string, username: string, password: string, jar = new CookieJar(), extra: Record<string, string> = {}): Promise<URL> {
  const page = await get(authorizationUrl, jar);
  if (page.status === 302) return new URL(page.headers.get('location')!);
  const html = await page.text();
  const result = await postForm(formAction(html), { username, password, credentialId: '', ...extra }, jar);
  if (result.status !== 302) throw new Error(`login did not redirect (${result.status}): ${(await result.text()).slice(0, 500)}`);
  return new URL(result.headers.get('location')!);
}

/** The parameters of an authorization response, from its query or fragment. */
export function responseParams(location: URL): URLSearchParams {
  return location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
}
