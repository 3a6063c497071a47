/**
 * The second half of `kc_action=idp_link:{alias}` (required-actions/idp-link.ts): the broker
 * callback of a state issued for linking ends here instead of in the first broker login.
 */
import type { FastifyReply } from 'fastify';
import type { BrokeredIdentity } from '../../broker/index.ts';
import type { IdentityProvider } from '../../realm/index.ts';
import { continueLogin, type LoginRun } from '../login-engine.ts';
import { failAction, IDP_LINK, linkEvent } from '../required-actions/idp-link.ts';
import { linkOf } from './broker-user.ts';

/**
 * The broker callback of a linking state: `identity` (every upstream check passed) becomes the
 * signed-in user's link to `provider`, or the action fails; either way the login goes on to the
 * application. `upstreamError`: the upstream answered an error instead of a code.
 */
export async function finishAccountLink(run: LoginRun, provider: IdentityProvider, outcome: { identity: BrokeredIdentity } | { upstreamError: string }): Promise<FastifyReply> {
  const user = run.user!;
  if ('upstreamError' in outcome) {
    failAction(run, provider.alias, outcome.upstreamError === 'access_denied' ? 'consent_denied' : 'identity_provider_error');
    return continueLogin(run);
  }
  const { identity } = outcome;
  const repository = run.ctx.realms.repository;
  const existing = await repository.findFederatedIdentity(run.realm.realm.id, provider.alias, identity.id);
  if (existing && existing.userId !== user.id) {
    failAction(run, provider.alias, 'federated_identity_account_exists', identity.username);
    return continueLogin(run);
  }
  if (!existing) {
    if (!(await repository.addFederatedIdentity(linkOf(user, identity)))) {
      // The user has another account of this provider linked already: one link per provider.
      failAction(run, provider.alias, 'federated_identity_account_exists', identity.username);
      return continueLogin(run);
    }
    await run.ctx.realms.userChanged(user.id);
    linkEvent(run, provider.alias, user, identity.username).success();
  }
  run.tab.kcActionStatus = 'success';
  run.tab.completedSteps = [...(run.tab.completedSteps ?? []), IDP_LINK];
  return continueLogin(run);
}
