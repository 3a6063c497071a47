/**
 * When a required action runs: the user has its alias pending. Keycloak skips pending actions
 * the realm has disabled or not registered, and so does the engine (their steps are not in the
 * realm's flow at all).
 */
import type { LoginFlow, LoginStep } from '../login-step.ts';

export function isPending(flow: LoginFlow, alias: string): boolean {
  return flow.user !== undefined && flow.user.requiredActions.includes(alias);
}

/** `needed` of an action that runs exactly when it is pending (under the alias it is registered as). */
export async function neededWhenPending(this: LoginStep, flow: LoginFlow): Promise<boolean> {
  return isPending(flow, this.id);
}
