/**
 * Reads an upstream's OpenID Connect discovery document into an identity provider's config, as
 * Keycloak's `import-config` (and the admin console's "Discovery endpoint" field) fills it in.
 * The fetch is bounded in time and size, never follows redirects, and obeys
 * `--outbound-addresses`; anything but a JSON object with an issuer is refused.
 */
import { outboundRequest, type OutboundAddresses } from '../http/outbound.ts';

const FETCH_TIMEOUT_MS = 5000;
const MAX_DOCUMENT_BYTES = 256 * 1024;

export class DiscoveryFailed extends Error {}

/** Discovery field → Keycloak config key. */
const FIELDS: Array<[string, string]> = [
  ['issuer', 'issuer'],
  ['authorization_endpoint', 'authorizationUrl'],
  ['token_endpoint', 'tokenUrl'],
  ['userinfo_endpoint', 'userInfoUrl'],
  ['jwks_uri', 'jwksUrl'],
  ['end_session_endpoint', 'logoutUrl'],
  ['introspection_endpoint', 'tokenIntrospectionUrl'],
];

export async function fetchDiscovery(url: string, addresses: OutboundAddresses): Promise<Record<string, unknown>> {
  let response;
  try {
    response = await outboundRequest(url, { method: 'GET', headers: { accept: 'application/json' }, timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_DOCUMENT_BYTES, addresses });
  } catch (error) {
    throw new DiscoveryFailed(`could not fetch ${url}: ${(error as Error).message}`);
  }
  if (response.status !== 200) throw new DiscoveryFailed(`${url} answered HTTP ${response.status}`);
  if (response.body === undefined) throw new DiscoveryFailed(`${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  let document: unknown;
  try {
    document = JSON.parse(response.body);
  } catch {
    throw new DiscoveryFailed(`${url} did not answer JSON`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new DiscoveryFailed(`${url} did not answer a JSON object`);
  const metadata = document as Record<string, unknown>;
  if (typeof metadata.issuer !== 'string' || typeof metadata.authorization_endpoint !== 'string') throw new DiscoveryFailed(`${url} is not an OpenID Connect discovery document (no issuer or authorization_endpoint)`);
  return metadata;
}

/** The provider config a discovery document gives (Keycloak's keys, string values). */
export function configFromDiscovery(metadata: Record<string, unknown>, discoveryUrl: string): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [from, to] of FIELDS) if (typeof metadata[from] === 'string') config[to] = metadata[from];
  config.metadataDescriptorUrl = discoveryUrl;
  // An upstream that publishes its keys is checked against them, as Keycloak sets it up.
  if (config.jwksUrl) {
    config.validateSignature = 'true';
    config.useJwksUrl = 'true';
  }
  return config;
}
