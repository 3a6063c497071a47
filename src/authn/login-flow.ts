/**
 * The realm's browser flow as a list of steps: Keycloak's "browser" flow (username and password,
 * then the conditional one-time code) followed by the realm's enabled required actions in
 * priority order, and last the consent screen. Adding a step is one module and one entry here; the engine does not change.
 */
import { sortRequiredActions, type LoadedRealm } from '../realm/index.ts';
import type { LoginStep } from './login-step.ts';
import { configureTotp } from './required-actions/configure-totp.ts';
import { termsAndConditions } from './required-actions/terms-and-conditions.ts';
import { updateEmail } from './required-actions/update-email.ts';
import { updatePassword } from './required-actions/update-password.ts';
import { unsupportedAction } from './required-actions/unsupported-action.ts';
import { updateProfile } from './required-actions/update-profile.ts';
import { verifyEmail } from './required-actions/verify-email.ts';
import { idpLink } from './required-actions/idp-link.ts';
import { oauthGrant } from './steps/oauth-grant.ts';
import { sendVerificationMail } from './required-actions/verification-mail.ts';
import { otpForm } from './steps/otp-form.ts';
import { passwordForm } from './steps/password-form.ts';
import { registrationForm } from './steps/registration-form.ts';
import { confirmLinkStep } from './first-broker-login/confirm-link.ts';
import { reauthenticate } from './first-broker-login/reauthenticate.ts';
import { emailVerification } from './first-broker-login/email-verification.ts';
import { reviewProfile } from './first-broker-login/review-profile.ts';

/**
 * The first broker login's pages come first and are only needed while a brokered identity waits
 * in the tab; a registration replaces the password form; a new user has no one-time code yet.
 */
const AUTHENTICATORS: LoginStep[] = [reviewProfile, confirmLinkStep, emailVerification, reauthenticate, registrationForm, passwordForm, otpForm];

/** Required-action steps by providerId: what `register-required-action` can register. */
export const REQUIRED_ACTION_STEPS: ReadonlyMap<string, LoginStep> = new Map(
  [termsAndConditions, updateProfile, verifyEmail(sendVerificationMail), configureTotp, updatePassword, updateEmail].map((step) => [step.id, step]),
);

/** Built once per loaded realm (a reload brings a new LoadedRealm). */
const stepsOfRealm = new WeakMap<LoadedRealm, LoginStep[]>();

/** The steps of a login in this realm, in order. A required action runs under its alias. */
export function loginSteps(realm: LoadedRealm): LoginStep[] {
  let steps = stepsOfRealm.get(realm);
  if (!steps) {
    steps = buildSteps(realm);
    stepsOfRealm.set(realm, steps);
  }
  return steps;
}

function buildSteps(realm: LoadedRealm): LoginStep[] {
  const actions = sortRequiredActions(realm.realm.settings.requiredActions)
    .filter((a) => a.enabled)
    .map((a) => {
      const step = a.providerId === idpLink.id ? idpLink : REQUIRED_ACTION_STEPS.get(a.providerId);
      if (!step) return unsupportedAction(a.alias);
      return a.alias === step.id ? step : { ...step, id: a.alias };
    });
  // idp_link runs only when an application asks for it: a realm that does not list it (holdfast's
  // own do not) has it anyway, one that lists it disabled (a Keycloak export) has it not.
  const listed = realm.realm.settings.requiredActions.some((a) => a.providerId === idpLink.id);
  const linking = listed ? [] : [idpLink];
  return [...AUTHENTICATORS, ...actions, ...linking, oauthGrant];
}
