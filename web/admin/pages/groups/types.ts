/** Keycloak's GroupRepresentation as the group pages use it. */
export interface GroupRep {
  id: string;
  name: string;
  path: string;
  parentId?: string;
  subGroupCount?: number;
  attributes?: Record<string, string[]>;
  description?: string;
}

export function groupPath(realm: string, id: string, ...parts: string[]): string {
  return `/${encodeURIComponent(realm)}/groups/${encodeURIComponent(id)}${parts.map((p) => `/${encodeURIComponent(p)}`).join('')}`;
}
