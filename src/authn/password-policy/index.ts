export { parsePasswordPolicy, PASSWORD_POLICY_RULES, PasswordPolicyError, type PasswordPolicy } from './parse-password-policy.ts';
export { passwordPolicyViolation, realmPasswordPolicy, type PolicyViolation } from './password-policy-check.ts';
export { preparePasswordChange, type PasswordChange } from './password-change.ts';
export { blacklistExists } from './password-blacklists.ts';
