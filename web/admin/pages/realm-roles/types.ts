/** Keycloak's RoleRepresentation as the role pages use it. */
export interface RoleRep {
  id: string;
  name: string;
  description?: string;
  composite?: boolean;
  clientRole?: boolean;
  containerId?: string;
  attributes?: Record<string, string[]>;
}
