/**
 * The `state` of a redirect to an upstream, bound to the login it belongs to: a random secret
 * whose SHA-256 keys a durable single-use record (shared store, so any node can take the
 * callback, and a restart mid-login loses nothing) holding the login's authentication session,
 * tab, the provider, and the `nonce` and PKCE verifier sent. The callback takes the record
 * atomically, so a state works once; it must come back in the browser whose AUTH_SESSION_ID
 * started it, so another site cannot finish a login into someone else's browser.
 */
import type { Context } from '../../context.ts';
import { newSecret, sha256Base64Url } from '../../crypto/index.ts';
import type { AuthSession, AuthTab } from '../../session/types.ts';

export interface BrokerRequest {
  realmId: string;
  authSessionId: string;
  tabId: string;
  alias: string;
  nonce: string;
  codeVerifier?: string;
  /** Set when the state links the upstream account to this signed-in user (kc_action=idp_link). */
  linkUserId?: string;
}

const STATE_NOTE = 'brokerState';
const keyOf = (state: string) => `broker-state:${sha256Base64Url(state)}`;
/** A state is a 43-character base64url secret; anything else is no state of ours. */
const STATE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new state for this tab; the tab's earlier one (an abandoned click) is dropped, so each tab holds at most one. */
export async function issueState(ctx: Context, session: AuthSession, tab: AuthTab, request: BrokerRequest): Promise<string> {
  const state = newSecret(32);
  const previous = tab.notes?.[STATE_NOTE];
  if (previous) await ctx.store.deleteEphemeral(previous);
  if (!(await ctx.store.putEphemeral(keyOf(state), JSON.stringify(request), session.expiresAt, ctx.sessions.now()))) throw new Error('broker state collision');
  tab.notes = { ...tab.notes, [STATE_NOTE]: keyOf(state) };
  return state;
}

/** The login a state was issued for, taken so that it cannot be used again; undefined when unknown, spent or expired. */
export async function takeState(ctx: Context, state: string): Promise<BrokerRequest | undefined> {
  if (!STATE_SHAPE.test(state)) return undefined;
  const value = await ctx.store.takeEphemeral(keyOf(state), ctx.sessions.now());
  return value === undefined ? undefined : (JSON.parse(value) as BrokerRequest);
}

/** Forgets the tab's spent state note. */
export function clearStateNote(tab: AuthTab): void {
  if (tab.notes) delete tab.notes[STATE_NOTE];
}
