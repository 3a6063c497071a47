/**
 * The declarative user profile (Keycloak's UPConfig): its default, reading and checking a
 * config, validating a user against it, and the metadata forms are built from. The admin API
 * uses it now; registration, login's update-profile step and the account API call the same
 * `validateProfile` with role `user`.
 */
export * from './up-config.ts';
export * from './parse-up-config.ts';
export * from './validate-profile.ts';
export * from './profile-metadata.ts';
export type { ProfileError } from './validators.ts';
