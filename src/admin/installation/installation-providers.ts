/**
 * Client installation providers (`/clients/{id}/installation/providers/{providerId}`): the
 * adapter configuration Keycloak offers for download, byte for byte as Keycloak 26 renders it,
 * so scripts that fetch `keycloak.json` keep working. Only the OIDC providers are built; the
 * list is what `/admin/serverinfo` shows under `clientInstallations`.
 */

/** What an installation is rendered from: the client as the adapter needs to know it. */
export interface InstallationInput {
  realm: string;
  /** The server's base URL with a trailing slash, as Keycloak's `auth-server-url`. */
  authServerUrl: string;
  sslRequired: string;
  clientId: string;
  publicClient: boolean;
  bearerOnly: boolean;
  /** The plaintext secret of a confidential client, when the caller may see it. */
  secret?: string;
  hasClientRoles: boolean;
}

export interface InstallationProvider {
  id: string;
  protocol: string;
  downloadOnly: boolean;
  displayType: string;
  helpText: string;
  filename: string;
  mediaType: string;
  render(input: InstallationInput): string;
}

const DEPLOYMENT = 'WAR MODULE NAME.war';

/** `public-client` or `bearer-only`, whichever the client is, as Keycloak names them. */
function accessSetting(input: InstallationInput): string | undefined {
  return input.publicClient ? 'public-client' : input.bearerOnly ? 'bearer-only' : undefined;
}

/** Jackson's default pretty printer, which Keycloak uses for keycloak.json. */
function prettyJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)} : ${prettyJson(v, inner)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

function keycloakJson(input: InstallationInput): string {
  const doc: Record<string, unknown> = { realm: input.realm };
  const access = accessSetting(input);
  if (access === 'bearer-only') doc[access] = true;
  doc['auth-server-url'] = input.authServerUrl;
  doc['ssl-required'] = input.sslRequired;
  doc.resource = input.clientId;
  if (input.hasClientRoles) doc['verify-token-audience'] = true;
  if (access === 'public-client') doc[access] = true;
  if (input.secret !== undefined) doc.credentials = { secret: input.secret };
  if (input.hasClientRoles) doc['use-resource-role-mappings'] = true;
  doc['confidential-port'] = 0;
  return prettyJson(doc);
}

const xmlText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function subsystemXml(input: InstallationInput): string {
  const lines = [`<secure-deployment name="${DEPLOYMENT}">`, `    <realm>${xmlText(input.realm)}</realm>`, `    <auth-server-url>${xmlText(input.authServerUrl)}</auth-server-url>`];
  const access = accessSetting(input);
  if (access) lines.push(`    <${access}>true</${access}>`);
  lines.push(`    <ssl-required>${input.sslRequired.toUpperCase()}</ssl-required>`, `    <resource>${xmlText(input.clientId)}</resource>`);
  if (input.hasClientRoles) lines.push('    <verify-token-audience>true</verify-token-audience>');
  if (input.secret !== undefined) lines.push(`    <credential name="secret">${xmlText(input.secret)}</credential>`);
  if (input.hasClientRoles) lines.push('    <use-resource-role-mappings>true</use-resource-role-mappings>');
  lines.push('</secure-deployment>');
  return `${lines.join('\n')}\n`;
}

function subsystemCli(input: InstallationInput): string {
  const deployment = `/subsystem=keycloak/secure-deployment="${DEPLOYMENT}"`;
  const options = [`realm="${input.realm}"`, `resource="${input.clientId}"`, `auth-server-url=${input.authServerUrl}`];
  const access = accessSetting(input);
  if (access) options.push(`${access}=true`);
  if (input.hasClientRoles) options.push('verify-token-audience=true', 'use-resource-role-mappings=true');
  options.push(`ssl-required=${input.sslRequired.toUpperCase()}`);
  let text = `${deployment}/:add( \\\n${options.map((o) => `    ${o}`).join(', \\\n')})\n\n`;
  if (input.secret !== undefined) text += `${deployment}/credential=secret:add(value=${input.secret})\n`;
  return text;
}

export const installationProviders: InstallationProvider[] = [
  {
    id: 'keycloak-oidc-jboss-subsystem',
    protocol: 'openid-connect',
    downloadOnly: false,
    displayType: 'Keycloak OIDC JBoss Subsystem XML',
    helpText:
      "XML snippet you must edit and add to the Keycloak OIDC subsystem on your client app server.  This type of configuration is useful when you can't or don't want to crack open your WAR file.",
    filename: 'keycloak-oidc-subsystem.xml',
    mediaType: 'application/xml',
    render: subsystemXml,
  },
  {
    id: 'keycloak-oidc-jboss-subsystem-cli',
    protocol: 'openid-connect',
    downloadOnly: false,
    displayType: 'Keycloak OIDC JBoss Subsystem CLI',
    helpText:
      "CLI script you must edit and apply to your client app server. This type of configuration is useful when you can't or don't want to crack open your WAR file.",
    filename: 'keycloak-oidc-subsystem.cli',
    mediaType: 'text/plain',
    render: subsystemCli,
  },
  {
    id: 'keycloak-oidc-keycloak-json',
    protocol: 'openid-connect',
    downloadOnly: false,
    displayType: 'Keycloak OIDC JSON',
    helpText:
      'keycloak.json file used by the Keycloak OIDC client adapter to configure clients.  This must be saved to a keycloak.json file and put in your WEB-INF directory of your WAR file.  You may also want to tweak this file after you download it.',
    filename: 'keycloak.json',
    mediaType: 'application/json',
    render: keycloakJson,
  },
];
