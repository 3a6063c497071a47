/**
 * Where the broker callback hands over (Keycloak's `authenticated` and its first broker login
 * flow): an upstream account already linked logs its user in; a new one becomes a local user
 * when the profile is complete and nobody holds its username or email, or waits in the tab for
 * the review-profile page, or for the confirm-link and re-authentication pages when an account
 * already exists. Either way the rest of the login (required actions, consent) follows.
 */
import type { FastifyReply } from 'fastify';
import type { BrokeredIdentity } from '../../broker/index.ts';
import { ErrorPage } from '../../errors/index.ts';
import type { IdentityProvider, User } from '../../realm/index.ts';
import { continueLogin, type LoginRun } from '../login-engine.ts';
import { loginSteps } from '../login-flow.ts';
import type { LoginFlow, StepOutcome } from '../login-step.ts';
import { brokerSessionNotes, createLinkedUser, linkOf, remapUser, syncedUser, userFromIdentity } from './broker-user.ts';
import { clearPendingIdentity, keepPendingIdentity, noteExistingUser } from './pending-identity.ts';
import { profileProblems } from './review-profile.ts';

export function providerOf(flow: LoginFlow, identity: BrokeredIdentity): IdentityProvider | undefined {
  const provider = flow.realm.identityProviders.get(identity.alias);
  return provider?.enabled ? provider : undefined;
}

function brokerEvent(flow: LoginFlow, type: 'REGISTER' | 'FEDERATED_IDENTITY_LINK', user: User, identity: BrokeredIdentity): void {
  flow.ctx.events.recorder
    .user(flow.realm, type, flow.request)
    .client(flow.client.clientId)
    .user(user.id)
    .detail('identity_provider', identity.alias)
    .detail('identity_provider_identity', identity.username)
    .detail(type === 'REGISTER' ? 'register_method' : 'auth_method', type === 'REGISTER' ? 'broker' : 'openid-connect')
    .detail('username', user.username)
    .detail('email', user.email)
    .success();
}

/** The user is known: the session to come carries the broker's notes, and the authenticators are done. */
function identified(flow: LoginFlow, user: User, identity: BrokeredIdentity): void {
  clearPendingIdentity(flow);
  flow.user = user;
  flow.tab.userId = user.id;
  flow.tab.userSessionNotes = brokerSessionNotes(identity);
}

/** Every authenticator of the browser flow counts as passed: the upstream authenticated the user. */
export function passAuthenticators(flow: LoginFlow): void {
  const steps = loginSteps(flow.realm);
  const last = steps.reduce((at, step, index) => (step.kind === 'authenticate' || step.kind === 'registration' || step.kind === 'first-broker-login' ? index : at), -1);
  flow.tab.completedSteps = steps.slice(0, last + 1).map((s) => s.id);
}

/**
 * A complete profile: create the user (or find who holds its name or email). Used at the
 * callback and after the review-profile page; returns the step outcome of the latter.
 */
export async function settleIdentity(flow: LoginFlow, identity: BrokeredIdentity): Promise<StepOutcome> {
  const provider = providerOf(flow, identity);
  if (!provider) throw new ErrorPage(400, 'Could not find an identity provider with the identifier.');
  const outcome = await createLinkedUser(flow, provider, userFromIdentity(flow, provider, identity), identity);
  if ('existing' in outcome) {
    noteExistingUser(flow, outcome.existing.id);
    return { kind: 'done' };
  }
  brokerEvent(flow, 'REGISTER', outcome.created, identity);
  identified(flow, outcome.created, identity);
  return { kind: 'done', user: outcome.created };
}

/** The owner of the existing account proved it: the upstream account is linked to it. */
export async function linkExisting(flow: LoginFlow, user: User, identity: BrokeredIdentity): Promise<StepOutcome> {
  if (!(await flow.ctx.realms.repository.addFederatedIdentity(linkOf(user, identity)))) {
    throw new ErrorPage(400, 'Federated identity returned by the identity provider is already linked to another user.');
  }
  await flow.ctx.realms.userChanged(user.id);
  const provider = providerOf(flow, identity);
  const mapped = provider ? await remapUser(flow, provider, user, identity) : user;
  brokerEvent(flow, 'FEDERATED_IDENTITY_LINK', mapped, identity);
  identified(flow, mapped, identity);
  return { kind: 'done', user: mapped };
}

export async function continueBrokeredLogin(run: LoginRun, provider: IdentityProvider, identity: BrokeredIdentity): Promise<FastifyReply> {
  const { ctx, realm } = run;
  const repository = ctx.realms.repository;
  run.tab.registering = undefined;
  run.user = undefined;
  delete run.tab.userId;
  clearPendingIdentity(run);
  const link = await repository.findFederatedIdentity(realm.realm.id, provider.alias, identity.id);
  if (link) {
    let user = await repository.findUserById(link.userId);
    if (!user || user.realmId !== realm.realm.id) throw new ErrorPage(400, 'Invalid Request');
    if (!user.enabled) throw new ErrorPage(400, 'Account is disabled, contact your administrator.');
    const synced = syncedUser(provider, user, identity);
    if (synced) {
      await repository.updateUser(synced);
      await ctx.realms.userChanged(user.id);
      user = synced;
    }
    user = await remapUser(run, provider, user, identity);
    if (provider.storeToken && identity.token) await repository.updateFederatedIdentityToken(user.id, provider.alias, identity.token);
    identified(run, user, identity);
    passAuthenticators(run);
    return continueLogin(run);
  }
  run.tab.completedSteps = [];
  keepPendingIdentity(run, identity);
  if (profileProblems(run, identity).length === 0) {
    const outcome = await settleIdentity(run, identity);
    if (outcome.kind === 'done' && outcome.user) passAuthenticators(run);
  }
  return continueLogin(run);
}
