/**
 * holdfast's login, told in Keycloak's authentication-flow representations. The steps are fixed
 * in code (src/authn/login-flow.ts, the password grant, registration, reset credentials, the
 * first broker login, client authentication), so these flows are a description of what runs, read-only: the admin API
 * answers every write with a 400 that says so. Aliases, providerIds and requirements are
 * Keycloak's built-in ones where holdfast runs the same step, so tools that look for them find
 * them; steps holdfast does not run are left out rather than listed as disabled.
 */
import { createHash } from 'node:crypto';
import { ShapeError, type Check } from '../json-shape.ts';

type Requirement = 'REQUIRED' | 'ALTERNATIVE' | 'CONDITIONAL' | 'DISABLED';

interface Step {
  /** An authenticator's providerId, or the alias of a sub-flow in `subFlows`. */
  provider: string;
  requirement: Requirement;
  displayName: string;
  description: string;
  subFlow?: 'basic-flow' | 'form-flow';
  /** A form sub-flow's controller (Keycloak's `registration-page-form`). */
  formAuthenticator?: string;
}

interface Flow {
  alias: string;
  description: string;
  providerId: 'basic-flow' | 'client-flow' | 'form-flow';
  topLevel: boolean;
  steps: Step[];
}

const conditionalOtp = (alias: string, otpProvider: string, otpName: string): Flow => ({
  alias,
  description: 'Flow to determine if the OTP is required for the authentication',
  providerId: 'basic-flow',
  topLevel: false,
  steps: [
    { provider: 'conditional-user-configured', requirement: 'REQUIRED', displayName: 'Condition - user configured', description: 'Executes the current flow only if the user has an OTP credential.' },
    { provider: otpProvider, requirement: 'REQUIRED', displayName: otpName, description: "Checks the one-time code from the user's authenticator app." },
  ],
});

const FLOWS: Flow[] = [
  {
    alias: 'browser',
    description: 'Browser based authentication',
    providerId: 'basic-flow',
    topLevel: true,
    steps: [
      { provider: 'auth-cookie', requirement: 'ALTERNATIVE', displayName: 'Cookie', description: 'Signs the user in from the SSO cookie (KEYCLOAK_IDENTITY) of a live session.' },
      { provider: 'identity-provider-redirector', requirement: 'ALTERNATIVE', displayName: 'Identity Provider Redirector', description: 'With kc_idp_hint, goes straight to that identity provider.' },
      { provider: 'forms', requirement: 'ALTERNATIVE', displayName: 'forms', description: 'Username, password, otp and other auth forms.', subFlow: 'basic-flow' },
    ],
  },
  {
    alias: 'forms',
    description: 'Username, password, otp and other auth forms.',
    providerId: 'basic-flow',
    topLevel: false,
    steps: [
      { provider: 'auth-username-password-form', requirement: 'REQUIRED', displayName: 'Username Password Form', description: 'The login form: username or email, and password (brute-force detection applies).' },
      { provider: 'Browser - Conditional OTP', requirement: 'CONDITIONAL', displayName: 'Browser - Conditional OTP', description: 'Flow to determine if the OTP is required for the authentication', subFlow: 'basic-flow' },
    ],
  },
  conditionalOtp('Browser - Conditional OTP', 'auth-otp-form', 'OTP Form'),
  {
    alias: 'direct grant',
    description: 'OpenID Connect Resource Owner Grant',
    providerId: 'basic-flow',
    topLevel: true,
    steps: [
      { provider: 'direct-grant-validate-username', requirement: 'REQUIRED', displayName: 'Username Validation', description: 'Finds the user by the username parameter (username or email).' },
      { provider: 'direct-grant-validate-password', requirement: 'REQUIRED', displayName: 'Password', description: 'Checks the password parameter (brute-force detection applies).' },
      { provider: 'Direct Grant - Conditional OTP', requirement: 'CONDITIONAL', displayName: 'Direct Grant - Conditional OTP', description: 'Flow to determine if the OTP is required for the authentication', subFlow: 'basic-flow' },
    ],
  },
  conditionalOtp('Direct Grant - Conditional OTP', 'direct-grant-validate-otp', 'OTP'),
  {
    alias: 'registration',
    description: 'Registration flow (when the realm allows user registration)',
    providerId: 'basic-flow',
    topLevel: true,
    steps: [{ provider: 'registration form', requirement: 'REQUIRED', displayName: 'registration form', description: 'Registration form', subFlow: 'form-flow', formAuthenticator: 'registration-page-form' }],
  },
  {
    alias: 'registration form',
    description: 'Registration form',
    providerId: 'form-flow',
    topLevel: false,
    steps: [
      { provider: 'registration-user-creation', requirement: 'REQUIRED', displayName: 'Registration User Profile Creation', description: "Checks the form against the realm's user profile and creates the user." },
      { provider: 'registration-password-action', requirement: 'REQUIRED', displayName: 'Password Validation', description: "Checks the password against the realm's password policy and stores it." },
    ],
  },
  {
    alias: 'reset credentials',
    description: 'Reset credentials for a user if they forgot their password (when the realm allows it)',
    providerId: 'basic-flow',
    topLevel: true,
    steps: [
      { provider: 'reset-credentials-choose-user', requirement: 'REQUIRED', displayName: 'Choose User', description: 'Asks for the username or email; the answer is the same whether the user exists or not.' },
      { provider: 'reset-credential-email', requirement: 'REQUIRED', displayName: 'Send Reset Email', description: 'Mails a reset-credentials link to a known, enabled user with an address.' },
      { provider: 'reset-password', requirement: 'REQUIRED', displayName: 'Reset Password', description: 'The link leads to the new-password form.' },
    ],
  },
  {
    alias: 'first broker login',
    description: 'Actions taken after first broker login with identity provider account, which is not yet linked to any account',
    providerId: 'basic-flow',
    topLevel: true,
    steps: [
      { provider: 'idp-review-profile', requirement: 'REQUIRED', displayName: 'Review Profile', description: "Asks for what the upstream profile lacks of the realm's user profile (update profile on first login: missing)." },
      { provider: 'User creation or linking', requirement: 'REQUIRED', displayName: 'User creation or linking', description: 'Flow for the existing/non-existing user alternatives', subFlow: 'basic-flow' },
    ],
  },
  {
    alias: 'User creation or linking',
    description: 'Flow for the existing/non-existing user alternatives',
    providerId: 'basic-flow',
    topLevel: false,
    steps: [
      { provider: 'idp-create-user-if-unique', requirement: 'ALTERNATIVE', displayName: 'Create User If Unique', description: 'Creates and links the user when nobody holds its username or email.' },
      { provider: 'Handle Existing Account', requirement: 'ALTERNATIVE', displayName: 'Handle Existing Account', description: 'Handle what to do if there is existing account with same email/username like authenticated identity provider', subFlow: 'basic-flow' },
    ],
  },
  {
    alias: 'Handle Existing Account',
    description: 'Handle what to do if there is existing account with same email/username like authenticated identity provider',
    providerId: 'basic-flow',
    topLevel: false,
    steps: [
      { provider: 'idp-confirm-link', requirement: 'REQUIRED', displayName: 'Confirm link existing account', description: 'Asks whether to add the upstream account to the existing one.' },
      { provider: 'Verify Existing Account by Re-authentication', requirement: 'REQUIRED', displayName: 'Verify Existing Account by Re-authentication', description: 'Reauthentication of existing account', subFlow: 'basic-flow' },
    ],
  },
  {
    alias: 'Verify Existing Account by Re-authentication',
    description: 'Reauthentication of existing account',
    providerId: 'basic-flow',
    topLevel: false,
    steps: [
      { provider: 'idp-username-password-form', requirement: 'REQUIRED', displayName: 'Username Password Form for identity provider reauthentication', description: 'The password of the existing account; a right one links the upstream account to it.' },
      { provider: 'First broker login - Conditional OTP', requirement: 'CONDITIONAL', displayName: 'First broker login - Conditional OTP', description: 'Flow to determine if the OTP is required for the authentication', subFlow: 'basic-flow' },
    ],
  },
  conditionalOtp('First broker login - Conditional OTP', 'auth-otp-form', 'OTP Form'),
  {
    alias: 'clients',
    description: 'Base authentication for clients',
    providerId: 'client-flow',
    topLevel: true,
    steps: [
      { provider: 'client-secret', requirement: 'ALTERNATIVE', displayName: 'Client Id and Secret', description: 'client_secret_basic and client_secret_post.' },
      { provider: 'client-jwt', requirement: 'ALTERNATIVE', displayName: 'Signed Jwt', description: 'private_key_jwt, with the client certificate or its JWKS URL.' },
      { provider: 'client-secret-jwt', requirement: 'ALTERNATIVE', displayName: 'Signed Jwt with Client Secret', description: 'client_secret_jwt.' },
    ],
  },
];

/** The realm fields that bind a flow, with the only alias holdfast runs for each. */
export const FLOW_BINDINGS = {
  browserFlow: 'browser',
  registrationFlow: 'registration',
  directGrantFlow: 'direct grant',
  resetCredentialsFlow: 'reset credentials',
  clientAuthenticationFlow: 'clients',
  firstBrokerLoginFlow: 'first broker login',
} as const;

export const FLOWS_NOT_EDITABLE =
  "Authentication flows are not editable in holdfast: its login steps are fixed in code (browser, direct grant, registration, reset credentials, first broker login, clients). Required actions can be changed under 'required-actions'.";

/** Stable per realm and flow, so the ids in one answer match the next (Keycloak's are stored UUIDs). */
function idOf(realmId: string, ...path: string[]): string {
  const hex = createHash('sha256').update([realmId, ...path].join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const flowByAlias = new Map(FLOWS.map((f) => [f.alias, f]));

/** Keycloak's AuthenticationFlowRepresentation for every flow, top-level and sub-flows (as a full export has them). */
export function flowRepresentations(realmId: string): Record<string, unknown>[] {
  return FLOWS.map((flow) => ({
    id: idOf(realmId, 'flow', flow.alias),
    alias: flow.alias,
    description: flow.description,
    providerId: flow.providerId,
    topLevel: flow.topLevel,
    builtIn: true,
    authenticationExecutions: flow.steps.map((step, i) => ({
      ...(step.subFlow ? { flowAlias: step.provider } : {}),
      ...(step.subFlow === undefined || step.formAuthenticator ? { authenticator: step.formAuthenticator ?? step.provider } : {}),
      authenticatorFlow: step.subFlow !== undefined,
      requirement: step.requirement,
      priority: (i + 1) * 10,
      autheticatorFlow: step.subFlow !== undefined,
      userSetupAllowed: false,
    })),
  }));
}

/** The top-level flows, as `GET /authentication/flows` lists them. */
export function topLevelFlows(realmId: string): Record<string, unknown>[] {
  return flowRepresentations(realmId).filter((f) => f.topLevel === true);
}

export function flowById(realmId: string, id: string): Record<string, unknown> | undefined {
  return flowRepresentations(realmId).find((f) => f.id === id);
}

/**
 * Keycloak's AuthenticationExecutionInfoRepresentation list of a flow: its executions depth
 * first, sub-flows followed by their own at the next level. Undefined for an unknown alias.
 */
export function executionInfos(realmId: string, alias: string): Record<string, unknown>[] | undefined {
  const flow = flowByAlias.get(alias);
  if (!flow) return undefined;
  const out: Record<string, unknown>[] = [];
  const walk = (current: Flow, level: number) => {
    current.steps.forEach((step, index) => {
      const sub = step.subFlow ? flowByAlias.get(step.provider) : undefined;
      out.push({
        id: idOf(realmId, 'execution', current.alias, step.provider),
        requirement: step.requirement,
        displayName: step.displayName,
        description: step.description,
        requirementChoices: [step.requirement],
        configurable: false,
        authenticationFlow: sub !== undefined,
        providerId: step.formAuthenticator ?? (sub ? sub.providerId : step.provider),
        ...(sub ? { flowId: idOf(realmId, 'flow', sub.alias) } : {}),
        level,
        index,
        priority: (index + 1) * 10,
      });
      if (sub) walk(sub, level + 1);
    });
  };
  walk(flow, 0);
  return out;
}

/**
 * A realm body may name the flows it binds (the console PUTs back what it read); a flow other
 * than the one holdfast runs is refused, not stored and ignored.
 */
export const flowBindingChecks = Object.fromEntries(
  Object.entries(FLOW_BINDINGS).map(([field, alias]) => [
    field,
    (value: unknown, path: string) => {
      if (value === undefined || value === null || value === alias) return undefined;
      throw new ShapeError(path, `must be '${alias}': holdfast runs its own ${alias} flow, and authentication flows are not editable`);
    },
  ]),
) as Record<keyof typeof FLOW_BINDINGS, Check<never>>;

export interface ProviderDescription {
  id: string;
  displayName: string;
  description: string;
}

const FORM_CONTROLLER: ProviderDescription = { id: 'registration-page-form', displayName: 'Registration Page', description: 'The registration page: runs the form actions of its flow.' };

/** The authenticators the flows run, by the kind of flow that holds them, each once. */
function stepsOf(kind: Flow['providerId']): ProviderDescription[] {
  const seen = new Map<string, ProviderDescription>();
  for (const flow of FLOWS.filter((f) => f.providerId === kind)) {
    for (const step of flow.steps) if (!step.subFlow && !seen.has(step.provider)) seen.set(step.provider, { id: step.provider, displayName: step.displayName, description: step.description });
  }
  return [...seen.values()];
}

/** `authenticator-providers`, `client-authenticator-providers`, `form-providers`, `form-action-providers`: what holdfast runs. */
export const PROVIDER_LISTS: Record<string, ProviderDescription[]> = {
  'authenticator-providers': stepsOf('basic-flow'),
  'client-authenticator-providers': stepsOf('client-flow'),
  'form-providers': [FORM_CONTROLLER],
  'form-action-providers': stepsOf('form-flow'),
};

/** Keycloak's AuthenticatorConfigInfoRepresentation: none of holdfast's steps takes a config. */
export function configDescription(providerId: string): Record<string, unknown> | undefined {
  const provider = Object.values(PROVIDER_LISTS).flat().find((p) => p.id === providerId);
  return provider && { providerId: provider.id, name: provider.displayName, helpText: provider.description, properties: [] };
}
