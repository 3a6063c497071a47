/**
 * What the server tells the console about where it runs, in a JSON block of the index page (data,
 * not script, so the page's CSP needs no inline script): holdfast's base URL, the realm the admin
 * logs into (the one in `/admin/{realm}/console/`) and the console's client id.
 */
export interface Environment {
  authServerUrl: string;
  loginRealm: string;
  clientId: string;
}

function read(): Environment {
  const element = document.getElementById('environment');
  if (!element?.textContent) throw new Error('The console page has no environment block.');
  return JSON.parse(element.textContent) as Environment;
}

export const environment: Environment = read();
