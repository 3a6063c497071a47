/**
 * The brokered identity a first broker login is working on, kept in the login's tab (durable
 * with it, bounded by the authentication session's size limit) while the user answers the
 * review-profile, confirm-link and re-authentication pages. The steps are only needed while
 * one is pending and nobody is identified yet.
 */
import type { BrokeredIdentity } from '../../broker/index.ts';
import type { AuthTab } from '../../session/types.ts';
import type { LoginFlow } from '../login-step.ts';

const IDENTITY = 'brokerIdentity';
/** The local user with the same username or email, once the login found one. */
const EXISTING = 'brokerExistingUser';
const CONFIRMED = 'brokerLinkConfirmed';
/** The link's email verification (email-verification.ts): the address its mail went to, its link opened, or the password chosen instead. */
const MAIL_SENT_TO = 'brokerLinkMailSentTo';
const MAIL_OPENED = 'brokerLinkMailOpened';
const MAIL_DECLINED = 'brokerLinkMailDeclined';

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

export const linkMail = {
  sentTo: (tab: AuthTab) => tab.notes?.[MAIL_SENT_TO],
  sent(tab: AuthTab, email: string | undefined): void {
    if (email === undefined) delete tab.notes?.[MAIL_SENT_TO];
    else tab.notes = { ...tab.notes, [MAIL_SENT_TO]: email };
  },
  opened: (tab: AuthTab) => tab.notes?.[MAIL_OPENED] === 'true',
  open(tab: AuthTab): void {
    tab.notes = { ...tab.notes, [MAIL_OPENED]: 'true' };
  },
  declined: (tab: AuthTab) => tab.notes?.[MAIL_DECLINED] === 'true',
  decline(tab: AuthTab): void {
    tab.notes = { ...tab.notes, [MAIL_DECLINED]: 'true' };
  },
};

/** The first broker login is over (user created or linked): its notes go. */
export function clearPendingIdentity(flow: LoginFlow): void {
  if (!flow.tab.notes) return;
  for (const key of [IDENTITY, EXISTING, CONFIRMED, MAIL_SENT_TO, MAIL_OPENED, MAIL_DECLINED]) delete flow.tab.notes[key];
}
