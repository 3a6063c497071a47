/**
 * A new password for a user, as every path that sets one does it (admin reset-password, the
 * update-password page): checked against the realm's policy, hashed the way the policy says
 * (`hashAlgorithm`, `hashIterations`), with the history the policy needs. Hashing happens here,
 * before the caller's transaction; the caller writes `credential` with `historyLength`.
 */
import type { Context } from '../../context.ts';
import { newPasswordCredential, type LoadedRealm, type PasswordCredential, type User } from '../../realm/index.ts';
import { historyToKeep, passwordPolicyViolation, realmPasswordPolicy, type PolicyViolation } from './password-policy-check.ts';

export type PasswordChange = { violation: PolicyViolation } | { credential: PasswordCredential; historyLength: number };

export async function preparePasswordChange(ctx: Context, realm: LoadedRealm, user: User, password: string): Promise<PasswordChange> {
  const violation = await passwordPolicyViolation(ctx, realm, user, password);
  if (violation) return { violation };
  const policy = realmPasswordPolicy(realm);
  return { credential: await newPasswordCredential(password, ctx.clock.nowMs(), policy.hash), historyLength: historyToKeep(policy) };
}
