/**
 * The brokered identity a first broker login is working on, kept in the login's tab (durable
 * with it, bounded by the authentication session's size limit) while the user answers the
 * review-profile, confirm-link and re-authentication pages. The steps are only needed while
 * one is pending and nobody is identified yet.
 */
import type { BrokeredIdentity } from '../../broker/index.ts';
import type { LoginFlow } from '../login-step.ts';

const IDENTITY = 'brokerIdentity';
/** The local user with the same username or email, once the login found one. */
const EXISTING = 'brokerExistingUser';
const CONFIRMED = 'brokerLinkConfirmed';

export function pendingIdentity(flow: LoginFlow): BrokeredIdentity | undefined {
  if (flow.user !== undefined) return undefined;
  const stored = flow.tab.notes?.[IDENTITY];
  return stored === undefined ? undefined : (JSON.parse(stored) as BrokeredIdentity);
}

export function keepPendingIdentity(flow: LoginFlow, identity: BrokeredIdentity): void {
  flow.tab.notes = { ...flow.tab.notes, [IDENTITY]: JSON.stringify(identity) };
}

export function existingUserId(flow: LoginFlow): string | undefined {
  return flow.tab.notes?.[EXISTING];
}

export function noteExistingUser(flow: LoginFlow, userId: string): void {
  flow.tab.notes = { ...flow.tab.notes, [EXISTING]: userId };
}

export function linkConfirmed(flow: LoginFlow): boolean {
  return flow.tab.notes?.[CONFIRMED] === 'true';
}

export function confirmLink(flow: LoginFlow): void {
  flow.tab.notes = { ...flow.tab.notes, [CONFIRMED]: 'true' };
}

/** The first broker login is over (user created or linked): its notes go. */
export function clearPendingIdentity(flow: LoginFlow): void {
  if (!flow.tab.notes) return;
  for (const key of [IDENTITY, EXISTING, CONFIRMED]) delete flow.tab.notes[key];
}
