/**
 * Everything between "this browser wants to log in" and "code issued": the login steps and
 * their engine, registration, OTP, the password policy.
 */
export { continueLogin, runDirectSteps, stepNeeded, submitStep, STEP_KINDS, type LoginRun } from './login-engine.ts';
export { continueBrokeredLogin } from './first-broker-login/brokered-login.ts';
export { finishAccountLink } from './first-broker-login/account-link.ts';
export { openLinkMail } from './first-broker-login/email-verification.ts';
export { consentToAsk } from './steps/oauth-grant.ts';
export { REQUIRED_ACTION_STEPS } from './login-flow.ts';
export type { LoginFlow } from './login-step.ts';
export { openCredential, otpCredentialProblem, otpSupportedApplications, sealCredential, OTP_TYPE } from './otp/index.ts';
export * from './password-policy/index.ts';
