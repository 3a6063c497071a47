/**
 * The password policy rules holdfast enforces (src/authn/password-policy), as Keycloak's
 * PasswordPolicyTypeRepresentation.
 */
import { PASSWORD_POLICY_RULES } from '../../authn/index.ts';

export interface PasswordPolicyType {
  id: string;
  displayName: string;
  configType: string;
  defaultValue: string;
  multipleSupported: boolean;
}

const NO_CONFIG = new Set(['notUsername', 'notContainsUsername', 'notEmail']);

export const passwordPolicies: PasswordPolicyType[] = PASSWORD_POLICY_RULES.map(({ id, defaultValue }) => ({
  id,
  displayName: id,
  configType: NO_CONFIG.has(id) ? '' : /^\d+$/.test(defaultValue) || id === 'hashIterations' ? 'int' : 'String',
  defaultValue,
  multipleSupported: id === 'regexPattern',
}));
