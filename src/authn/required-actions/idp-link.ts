/**
 * `idp_link`: Keycloak 26's application-initiated account linking. An application sends a user
 * to `auth?kc_action=idp_link:{alias}` (keycloak-js `login({ action: 'idp_link:github' })`, the
 * account console's Link button); once the user is signed in, this step sends the browser to that
 * provider with a state marked for linking to this user, and the broker callback hands the
 * upstream account to `finishAccountLink` (first-broker-login/account-link.ts) instead of logging in with it. The application gets
 * `kc_action_status=success` when the link is made (or was there already), `error` when the realm
 * has no such enabled provider, the user lacks the account client's `manage-account` or
 * `manage-account-links` role, the upstream refused, or the upstream account is linked to someone
 * else (or the user already has another account of that provider); each failure is a
 * FEDERATED_IDENTITY_LINK_ERROR event. It runs only when asked for, never because it is pending.
 */
import { upstreamAuthorizationUrl } from '../../oidc/broker/upstream-redirect.ts';
import type { User } from '../../realm/index.ts';
import type { LoginRun } from '../login-engine.ts';
import type { LoginFlow, LoginStep } from '../login-step.ts';

export const IDP_LINK = 'idp_link';
/** Either role of the `account` client lets a user link accounts, as Keycloak checks. */
const LINK_ROLES = ['manage-account', 'manage-account-links'];

/** The provider alias `kc_action=idp_link:{alias}` names, or undefined for another action. */
export function linkAliasOf(kcAction: string | undefined): string | undefined {
  return kcAction?.startsWith(`${IDP_LINK}:`) ? kcAction.slice(IDP_LINK.length + 1) : undefined;
}

export function linkEvent(flow: LoginFlow, alias: string, user: User | undefined, upstreamUser?: string) {
  return flow.ctx.events.recorder
    .user(flow.realm, 'FEDERATED_IDENTITY_LINK', flow.request)
    .client(flow.client.clientId)
    .user(user?.id)
    .detail('identity_provider', alias)
    .detail('identity_provider_identity', upstreamUser)
    .detail('username', user?.username);
}

/** Ends the action without success: the application gets kc_action_status=error. */
export function failAction(flow: LoginFlow, alias: string, error: string, upstreamUser?: string): void {
  linkEvent(flow, alias, flow.user, upstreamUser).error(error);
  flow.tab.kcActionStatus = undefined;
  flow.tab.completedSteps = [...(flow.tab.completedSteps ?? []), IDP_LINK];
}

async function mayLink(flow: LoginFlow, user: User): Promise<boolean> {
  const view = await flow.ctx.realms.getUserView(flow.realm, user.id);
  const roles = view?.roles.clientRoles.account ?? [];
  return LINK_ROLES.some((role) => roles.includes(role));
}

export const idpLink: LoginStep = {
  id: IDP_LINK,
  kind: 'required-action',
  // Only an application asks for it (the engine runs a requested action whether needed or not).
  async needed() {
    return false;
  },
  async page(flow) {
    const run = flow as LoginRun;
    const alias = linkAliasOf(flow.tab.kcAction) ?? '';
    const provider = flow.realm.identityProviders.get(alias);
    if (!provider || !provider.enabled) {
      failAction(flow, alias, 'identity_provider_not_found');
      return { failed: true };
    }
    if (!(await mayLink(flow, flow.user!))) {
      failAction(flow, alias, 'not_allowed');
      return { failed: true };
    }
    return { redirect: await upstreamAuthorizationUrl(flow.ctx, flow.realm, flow.issuer, provider, run.authSession, run.tabId, flow.user!.id) };
  },
  async submit() {
    // The step has no form: the browser went upstream and comes back through the broker callback.
    return { kind: 'done' };
  },
};
