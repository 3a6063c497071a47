/**
 * The `enums` of `/admin/serverinfo`: the event types, admin operation types and resource types
 * holdfast records (src/events).
 */
import { EVENT_TYPES, OPERATION_TYPES, RESOURCE_TYPES } from '../../events/index.ts';

export const eventEnums: Record<'eventType' | 'operationType' | 'resourceType' | 'type', string[]> = {
  eventType: [...EVENT_TYPES].sort(),
  operationType: [...OPERATION_TYPES],
  resourceType: [...RESOURCE_TYPES],
  type: [...EVENT_TYPES].sort(),
};
