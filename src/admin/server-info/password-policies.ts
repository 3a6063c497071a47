/**
 * The password policy rules holdfast enforces, as Keycloak's PasswordPolicyTypeRepresentation.
 * None yet: a realm file's `passwordPolicy` is not enforced, so no rule is offered here until
 * the authentication work makes them real.
 */
export interface PasswordPolicyType {
  id: string;
  displayName: string;
  configType: string;
  defaultValue: string;
  multipleSupported: boolean;
}

export const passwordPolicies: PasswordPolicyType[] = [];
