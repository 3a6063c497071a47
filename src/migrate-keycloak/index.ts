/** `holdfast migrate-from-keycloak` (issue #19): reading a stopped Keycloak 26's database and carrying realms, keys and sessions into holdfast's store. */
export { migrateFromKeycloak, MigrationRefused, type MigrationOptions, type MigrationReport, type MigrationTarget, type RealmOutcome } from './migrate.ts';
export { KeycloakReadError, KeycloakSchemaProblem, redactUrl } from './keycloak-snapshot.ts';
export { reportLines } from './report.ts';
