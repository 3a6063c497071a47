/** Keycloak's shapes for keys and key provider components, as the admin API answers them. */
export const KEY_PROVIDER_TYPE = 'org.keycloak.keys.KeyProvider';

export interface KeyMetadata {
  providerId: string;
  providerPriority: number;
  kid: string;
  status: 'ACTIVE' | 'PASSIVE' | 'DISABLED';
  type: string;
  algorithm: string;
  publicKey?: string;
  certificate?: string;
  use: 'SIG' | 'ENC';
  validTo?: number;
}

export interface KeysMetadata {
  active: Record<string, string>;
  keys: KeyMetadata[];
}

export interface KeyProvider {
  id: string;
  name: string;
  providerId: string;
  providerType: string;
  parentId: string;
  config: Record<string, string[]>;
}

/** The providers that generate their own key, which the console can add and rotate. */
export const GENERATED_PROVIDERS = ['rsa-generated', 'rsa-enc-generated', 'ecdsa-generated', 'eddsa-generated', 'hmac-generated', 'aes-generated'];

export const setting = (provider: KeyProvider, name: string): string | undefined => provider.config[name]?.[0];
export const priorityOf = (provider: KeyProvider): number => Number(setting(provider, 'priority') ?? '0');
/** Keycloak's defaults: a provider is enabled and active unless its config says `false`. */
export const isOn = (provider: KeyProvider, name: 'enabled' | 'active'): boolean => setting(provider, name) !== 'false';
