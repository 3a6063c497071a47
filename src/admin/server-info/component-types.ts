/**
 * Component types (Keycloak's `componentTypes` in `/admin/serverinfo`: key providers, user
 * storage, user profile, …) by provider type, each with the providers holdfast implements. Realms
 * have no components yet, so the map starts empty; an area that adds components (keys, user
 * profile) adds its provider type here.
 */
import type { ConfigProperty } from './mapper-types.ts';

export interface ComponentType {
  id: string;
  helpText: string;
  properties: ConfigProperty[];
  metadata: Record<string, unknown>;
}

export const componentTypes: Record<string, ComponentType[]> = {};
