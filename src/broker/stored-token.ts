/**
 * The upstream token response a link keeps when its provider has `storeToken`, sealed at rest
 * with the realm's data key like client secrets: a copy of the database does not hand out
 * upstream access and refresh tokens. The sealed value is bound to the realm and the provider's
 * internal id (stable across a rename of its alias), so it cannot be moved to another provider's
 * link unnoticed. It is sealed as soon as the callback has it, so the copy that waits in the
 * login's tab during a first broker login is sealed too.
 */
import { open, seal } from '../crypto/index.ts';
import type { IdentityProvider } from '../realm/index.ts';

const contextOf = (provider: Pick<IdentityProvider, 'realmId' | 'internalId'>) => `broker-token:${provider.realmId}:${provider.internalId}`;

export function sealUpstreamToken(sealKey: Buffer, provider: IdentityProvider, tokenResponse: string): string {
  return seal(sealKey, tokenResponse, contextOf(provider));
}

/** The token response in plain text, or undefined when the sealed value does not open (another key, another provider). */
export function openUpstreamToken(sealKey: Buffer, provider: IdentityProvider, sealed: string): string | undefined {
  try {
    return open(sealKey, sealed, contextOf(provider));
  } catch {
    return undefined;
  }
}
