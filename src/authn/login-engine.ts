/**
 * Runs a login's steps (login-flow.ts) in order: the first step not yet satisfied that says it
 * is needed is the current one; its page is shown, its form handled, and when none is left the
 * SSO session is created and the code issued. An application-initiated action (`kc_action`,
 * keycloak-js `login({action})`) is a required action that runs whether pending or not, with a
 * Cancel button; its outcome goes back as `kc_action_status`. A login that the browser's SSO cookie identified
 * (`ssoSessionId`) runs only the required actions and the consent screen, then continues that session, as Keycloak
 * runs pending actions after a cookie login. The engine knows no step by name. Required
 * actions are taken off the user when their step is done, in the same transaction as what the
 * step writes. The password grant runs the same steps without pages (`runDirectSteps`).
 */
import type { FastifyReply } from 'fastify';
import { newSecret } from '../crypto/index.ts';
import { ErrorPage, invalidGrant } from '../errors/index.ts';
import type { Form } from '../http/form.ts';
import { completeLogin, readSsoSession, sendAuthorizationResponse, setSsoCookies } from '../oidc/auth/index.ts';
import { finishAuthSession } from '../oidc/login/auth-session.ts';
import { cancelDeviceLogin } from '../oidc/device/index.ts';
import type { AuthSession } from '../session/types.ts';
import { sendPage, type ThemePage } from '../theme/index.ts';
import { loginSteps } from './login-flow.ts';
import type { LoginFlow, LoginStep, StepMessage, StepPage } from './login-step.ts';
import { ProfileConflict } from './profile-check.ts';

/** A login in progress at one of its pages. */
export interface LoginRun extends LoginFlow {
  reply: FastifyReply;
  authSession: AuthSession;
  tabId: string;
}

export function stepActionUrl(run: LoginRun, step: LoginStep): string {
  const query = new URLSearchParams({ session_code: run.tab.sessionCode, execution: step.id, client_id: run.tab.clientId, tab_id: run.tabId });
  return `${run.issuer}/login-actions/${step.kind}?${query}`;
}

/** The login paths a step's form posts to (`/realms/{realm}/login-actions/<kind>`). */
export const STEP_KINDS: readonly LoginStep['kind'][] = ['authenticate', 'registration', 'first-broker-login', 'required-action', 'consent'];
/** Where the language picker of a step's page leads: the page again, in that language. */
function localeLink(run: LoginRun, step: LoginStep): (tag: string) => string {
  const query = new URLSearchParams({ client_id: run.tab.clientId, tab_id: run.tabId, execution: step.id });
  return (tag) => `${run.issuer}/login-actions/${step.kind}?${query}&kc_locale=${encodeURIComponent(tag)}`;
}


/**
 * The first step after the last one satisfied that this login needs. The flow only moves
 * forward: an OTP set up by CONFIGURE_TOTP is not asked for again in the same login.
 */
async function currentStep(flow: LoginFlow, steps: LoginStep[]): Promise<LoginStep | undefined> {
  const completed = flow.tab.completedSteps ?? [];
  const last = Math.max(-1, ...completed.map((id) => steps.findIndex((s) => s.id === id)));
  for (const step of steps.slice(last + 1)) {
    if (completed.includes(step.id)) continue;
    // A login the SSO cookie identified skips the authenticators: required actions and consent remain.
    if (flow.tab.ssoSessionId !== undefined && (step.kind === 'authenticate' || step.kind === 'registration' || step.kind === 'first-broker-login')) continue;
    if (isRequestedAction(flow, step) && flow.user !== undefined) return step;
    if (await step.needed(flow)) return step;
  }
  return undefined;
}

/** Whether `step` is the application-initiated action this login asked for. */
function isRequestedAction(flow: LoginFlow, step: LoginStep): boolean {
  // An action with a parameter is asked for as `alias:parameter` (`idp_link:github`).
  const asked = flow.tab.kcAction;
  return step.kind === 'required-action' && asked !== undefined && (asked === step.id || asked.startsWith(`${step.id}:`));
}

/** Renders a step's page with a fresh `session_code` (so a page is good for one submit). */
async function showStep(run: LoginRun, step: LoginStep, message: StepMessage): Promise<FastifyReply> {
  run.tab.sessionCode = newSecret(16);
  const actionUrl = stepActionUrl(run, step);
  const shown = await step.page(run, actionUrl, message);
  if ('redirect' in shown) {
    await run.ctx.store.putAuthSession(run.authSession);
    return run.reply.header('cache-control', 'no-store').redirect(shown.redirect, 302);
  }
  if ('failed' in shown) return continueLogin(run);
  // Keycloak's Cancel of an application-initiated action (`cancel-aia`): a form of its own next to the step's.
  if (isRequestedAction(run, step)) shown.data = { ...shown.data, cancelAction: actionUrl };
  await run.ctx.store.putAuthSession(run.authSession);
  return sendPage(run.ctx, run.reply, { request: run.request, realm: run.realm, tab: run.tab, user: run.user, localeLink: localeLink(run, step) }, shown);
}

/** A language picked during the login becomes the user's (Keycloak keeps it in their `locale` attribute). */
async function keepPickedLocale(run: LoginRun): Promise<void> {
  const picked = run.tab.locale;
  const user = run.user!;
  if (picked === undefined || user.attributes.locale?.[0] === picked) return;
  run.user = { ...user, attributes: { ...user.attributes, locale: [picked] } };
  await run.ctx.realms.repository.updateUser(run.user);
  await run.ctx.realms.userChanged(user.id);
}

/** Whether a login of this user would stop at a page (SSO check: read-only, nothing stored). */
export async function stepNeeded(flow: LoginFlow): Promise<boolean> {
  return (await currentStep(flow, loginSteps(flow.realm))) !== undefined;
}

async function finish(run: LoginRun): Promise<FastifyReply> {
  const { ctx, realm, request, reply, issuer } = run;
  if (run.tab.ssoSessionId !== undefined) return finishInSso(run);
  const settings = realm.realm.settings;
  await keepPickedLocale(run);
  const session = await ctx.sessions.create(settings, { realmId: realm.realm.id, userId: run.user!.id, rememberMe: run.tab.rememberMe === true, ipAddress: request.clientConnection.address, userAgent: request.headers['user-agent'], notes: run.tab.userSessionNotes });
  await setSsoCookies(ctx, request, reply, realm, issuer, session);
  await finishAuthSession(ctx, request, reply, issuer, run.authSession);
  return completeLogin(ctx, reply, realm, issuer, run.client, run.tab, session, '1');
}

/**
 * A login that continued a signed-in browser's SSO session ends in that session, as long as the
 * browser's cookie still names it; otherwise the user signs in again from the first step.
 */
async function finishInSso(run: LoginRun): Promise<FastifyReply> {
  const { ctx, realm, request, reply, issuer, tab } = run;
  const sso = await readSsoSession(ctx, request, realm, issuer);
  if (!sso || sso.id !== tab.ssoSessionId || sso.userId !== run.user?.id) {
    delete tab.ssoSessionId;
    delete tab.userId;
    tab.completedSteps = [];
    run.user = undefined;
    return continueLogin(run);
  }
  await finishAuthSession(ctx, request, reply, issuer, run.authSession);
  return completeLogin(ctx, reply, realm, issuer, run.client, tab, sso, '0');
}

/** Shows the step this login is at, or finishes it when nothing is left. */
export async function continueLogin(run: LoginRun, message: StepMessage = {}): Promise<FastifyReply> {
  const step = await currentStep(run, loginSteps(run.realm));
  return step ? showStep(run, step, message) : finish(run);
}

/** Handles the form of step `execution`; a form of another step than the current one only shows the current page. */
export async function submitStep(run: LoginRun, execution: string, form: Form): Promise<FastifyReply> {
  const step = await currentStep(run, loginSteps(run.realm));
  if (!step) return finish(run);
  if (step.id !== execution) return showStep(run, step, {});
  if (isRequestedAction(run, step) && form.get('cancel-aia') !== undefined) {
    run.tab.kcActionStatus = 'cancelled';
    run.tab.completedSteps = [...(run.tab.completedSteps ?? []), step.id];
    return continueLogin(run);
  }
  const outcome = await step.submit(run, form);
  if (outcome.kind === 'again') return showStep(run, step, outcome.message);
  if (outcome.kind === 'cancel') {
    await finishAuthSession(run.ctx, run.request, run.reply, run.issuer, run.authSession);
    if (run.tab.device) return cancelDeviceLogin(run.reply, run.issuer);
    return sendAuthorizationResponse(run.reply, run.tab, { error: outcome.error, error_description: outcome.description, state: run.tab.state, iss: run.issuer });
  }
  let user = outcome.user ?? run.user;
  if (step.kind === 'required-action' && user) {
    user = { ...user, requiredActions: user.requiredActions.filter((a) => a !== step.id) };
    const saved = user;
    try {
      await run.ctx.realms.repository.transaction(async (tx) => {
        await outcome.write?.(tx);
        await tx.updateUser(saved);
      });
    } catch (error) {
      if (error instanceof ProfileConflict) return showStep(run, step, { error: error.text, field: error.field, values: Object.fromEntries(['username', 'email'].map((f) => [f, form.get(f) ?? ''])) });
      throw error;
    }
    await run.ctx.realms.userChanged(user.id);
    if (outcome.logoutOtherSessions) await run.ctx.store.deleteUserSessionsOfUser(run.realm.realm.id, user.id, false);
  }
  if (!user && step.kind !== 'first-broker-login') throw new ErrorPage(400, 'Invalid Request');
  run.user = user;
  if (user) run.tab.userId = user.id;
  run.tab.completedSteps = [...(run.tab.completedSteps ?? []), step.id];
  if (isRequestedAction(run, step)) run.tab.kcActionStatus = 'success';
  return continueLogin(run);
}

/**
 * The password grant's form of the flow, once the password is checked: each needed step that
 * can run without a page checks its parameter (`totp`); one that needs a page refuses the grant
 * with Keycloak's "Account is not fully set up".
 */
export async function runDirectSteps(flow: LoginFlow, form: Form): Promise<void> {
  for (const step of loginSteps(flow.realm)) {
    if (!(await step.needed(flow))) continue;
    if (!step.direct) throw invalidGrant('Account is not fully set up');
    await step.direct(flow, form);
  }
}
