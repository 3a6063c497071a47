/**
 * Component types (Keycloak's `componentTypes` in `/admin/serverinfo`) by provider type, each with
 * the providers holdfast implements: key providers (src/admin/components) and the declarative
 * user profile.
 */
import { KEY_PROVIDER_IDS, KEY_PROVIDER_TYPE } from '../components/key-providers.ts';
import type { ConfigProperty } from './mapper-types.ts';

export interface ComponentType {
  id: string;
  helpText: string;
  properties: ConfigProperty[];
  metadata: Record<string, unknown>;
}

const provider = (id: string): ComponentType => ({ id, helpText: '', properties: [], metadata: {} });

export const componentTypes: Record<string, ComponentType[]> = {
  [KEY_PROVIDER_TYPE]: KEY_PROVIDER_IDS.map(provider),
  'org.keycloak.userprofile.UserProfileProvider': [provider('declarative-user-profile')],
};
