/**
 * The mapper types the server applies and their properties, from `/admin/serverinfo`
 * (`protocolMapperTypes`), loaded once per console: the mapper form is built from them, so a type
 * the server adds shows up without a console change.
 */
import { api } from '../../api.ts';

export interface ConfigProperty {
  name: string;
  label: string;
  helpText: string;
  type: string;
  defaultValue?: string;
  options?: string[];
  secret?: boolean;
  required?: boolean;
  readOnly?: boolean;
}

export interface MapperType {
  id: string;
  name: string;
  category: string;
  helpText: string;
  priority: number;
  properties: ConfigProperty[];
}

let loaded: Promise<MapperType[]> | undefined;

export function mapperTypes(protocol = 'openid-connect'): Promise<MapperType[]> {
  loaded ??= api.get<{ protocolMapperTypes?: Record<string, MapperType[]> }>('/admin/serverinfo').then(
    (info) => [...(info.protocolMapperTypes?.[protocol] ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
    (error) => {
      loaded = undefined;
      throw error;
    },
  );
  return loaded;
}

/** A new mapper's config: every property's default. */
export function defaultConfig(type: MapperType): Record<string, string> {
  return Object.fromEntries(type.properties.filter((p) => p.defaultValue !== undefined).map((p) => [p.name, String(p.defaultValue)]));
}

/** A property name as an element id (`claim.name` → `mapper-claim-name`). */
export const propertyId = (name: string): string => `mapper-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
