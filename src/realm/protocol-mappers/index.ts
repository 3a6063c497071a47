export * from './mapper-model.ts';
export type { MapperInput, MapperOutput, MapperType } from './mapper-type.ts';
export { mapperType, supportedMapperType, supportedMapperTypes } from './mapper-types.ts';
export { builtInMappers } from './built-in-mappers.ts';
export { buildClaimPlan, type ClaimPlan, type PlanKind } from './claim-plan.ts';
export { roleFromString } from './token-roles.ts';
