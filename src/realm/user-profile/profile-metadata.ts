/**
 * Keycloak's UPMetadata: the profile as one editor sees it (the admin console's user form, the
 * login theme's registration form), with each attribute's `required` and `readOnly` already
 * decided for that editor, and its validators as they run (empty values ignored, single-valued
 * attributes limited to one value).
 */
import { isRootAttribute, type UPConfig, type UPGroup } from './up-config.ts';
import { applies, canEdit, canView, isRequired, type ProfileContext } from './validate-profile.ts';

export interface UPAttributeMetadata {
  name: string;
  displayName: string;
  required: boolean;
  readOnly: boolean;
  annotations?: Record<string, unknown>;
  validators: Record<string, Record<string, unknown>>;
  multivalued: boolean;
  group?: string;
  defaultValue?: string;
}

export interface UPMetadata {
  attributes: UPAttributeMetadata[];
  groups: UPGroup[];
}

export function profileMetadata(config: UPConfig, context: ProfileContext): UPMetadata {
  const attributes = config.attributes
    .filter((a) => applies(a, context) && canView(a, context.role))
    .map((a): UPAttributeMetadata => {
      const validators: Record<string, Record<string, unknown>> = {};
      for (const [id, options] of Object.entries(a.validations ?? {})) validators[id] = id === 'multivalued' ? options : { ...options, 'ignore.empty.value': options['ignore.empty.value'] ?? true };
      if (!a.multivalued && validators.multivalued === undefined) validators.multivalued = { max: '1' };
      return {
        name: a.name,
        // Keycloak names root attributes by their message key, others by their name.
        displayName: a.displayName ?? (isRootAttribute(a.name) ? `\${${a.name}}` : a.name),
        required: isRequired(a, context),
        readOnly: !canEdit(a, context),
        ...(a.annotations ? { annotations: a.annotations } : {}),
        validators,
        multivalued: a.multivalued === true,
        ...(a.group !== undefined ? { group: a.group } : {}),
        ...(a.defaultValue !== undefined ? { defaultValue: a.defaultValue } : {}),
      };
    });
  return { attributes, groups: config.groups ?? [] };
}
