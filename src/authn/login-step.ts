/**
 * One step of the browser login, as Keycloak's executions and required actions are: the
 * password form, the one-time code, each required action. A step says whether this login needs
 * it, renders its page and handles its form; the engine (login-engine.ts) runs the realm's list
 * of steps in order and knows none of them by name. The password grant runs the same list
 * without pages (`direct`).
 */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import type { Form } from '../http/form.ts';
import type { Client, LoadedRealm, RealmRepository, User } from '../realm/index.ts';
import type { AuthSession, AuthTab } from '../session/types.ts';
import type { ThemePage } from '../theme/index.ts';

/** The login as a step sees it. `user` is set once a step has identified who logs in. */
export interface LoginFlow {
  ctx: Context;
  request: FastifyRequest;
  realm: LoadedRealm;
  issuer: string;
  client: Client;
  tab: AuthTab;
  /** The browser tab's id; absent in the password grant, which shows no pages. */
  tabId?: string;
  /** The authentication session the tab is in (an e-mail link names it); absent in the password grant. */
  authSession?: AuthSession;
  user?: User;
}

/** A step's page: a template of the login theme with its data (themes/holdfast/README.md). */
export type StepPage =
  | ThemePage
  /** The step continues elsewhere (the upstream of kc_action=idp_link): the browser is sent there. */
  | { redirect: string }
  /** A requested action that cannot run: it ends here, and the application gets kc_action_status=error. */
  | { failed: true };

/**
 * What a page shows besides its form: Keycloak's error and info alerts, and fields to fill in
 * again. `error` and `info` are message keys (`invalidUserMessage`) or, for older code, English
 * texts, which the page shows in its language when the theme's English bundle has them.
 */
export interface StepMessage {
  error?: string;
  /** Parameters of the error's message (`invalidPasswordMinLengthMessage`: the length). */
  params?: string[];
  /** The field the error is about (Keycloak marks it `aria-invalid`). */
  field?: string;
  /** Several fields' errors at once (the registration form shows every problem). */
  fieldErrors?: Record<string, string>;
  info?: string;
  values?: Record<string, string>;
  status?: number;
}

export type StepOutcome =
  /**
   * Satisfied. A step that identifies the user, or changes them, returns the user; `write` is
   * what it stores, run in the same transaction as the engine's update of the user.
   */
  | { kind: 'done'; user?: User; write?: (tx: RealmRepository) => Promise<void>; logoutOtherSessions?: boolean }
  /** Not satisfied: show the step's page again with this message. */
  | { kind: 'again'; message: StepMessage }
  /** The user declined: the login ends with this OAuth error sent to the client. */
  | { kind: 'cancel'; error: string; description?: string };

/**
 * The path the form posts to: authenticators to `authenticate`, the registration form to
 * `registration`, the first broker login's pages to `first-broker-login` (they may finish
 * without identifying anyone yet), required actions to `required-action`, the consent screen to `consent`.
 */
export type StepKind = 'authenticate' | 'registration' | 'first-broker-login' | 'required-action' | 'consent';

export interface LoginStep {
  /** Keycloak's execution name: the authenticator's id or the required action's alias. */
  readonly id: string;
  readonly kind: StepKind;
  needed(flow: LoginFlow): Promise<boolean>;
  page(flow: LoginFlow, actionUrl: string, message: StepMessage): Promise<StepPage>;
  submit(flow: LoginFlow, form: Form): Promise<StepOutcome>;
  /**
   * The password grant's form of the step (`totp` for OTP), throwing the grant's OAuthError when
   * it fails. A needed step without it cannot run without a page: the grant is refused.
   */
  direct?(flow: LoginFlow, form: Form): Promise<void>;
}
