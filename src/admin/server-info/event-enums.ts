/**
 * The `enums` of `/admin/serverinfo`: the event types, admin operation types and resource types
 * holdfast records. It records no events yet, so the lists are empty; the events work fills them
 * with exactly what it records.
 */
export const eventEnums: Record<'eventType' | 'operationType' | 'resourceType' | 'type', string[]> = {
  eventType: [],
  operationType: [],
  resourceType: [],
  type: [],
};
