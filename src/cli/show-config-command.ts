/**
 * `holdfast show-config [flags]`: every server setting as `start` would read it with the same
 * flags, variables and configuration file, with where each value came from (flag, variable,
 * file, default), like Keycloak's `show-config`. Passwords in URLs and the secrets read from the
 * environment are masked; the configuration is then checked as `start` would check it.
 */
import { ConfigError, ENVIRONMENT_ONLY, SERVER_FLAGS, envName, parseConfig, resolveFlags, type FlagSpec, type ServerFlagName } from '../config/index.ts';

const MASK = '*******';

/** A URL keeps its shape (which host, which database) but not its password. */
export function maskSecret(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = MASK;
    return url.toString();
  } catch {
    return MASK;
  }
}

export async function runShowConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let resolved;
  try {
    resolved = resolveFlags(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast show-config: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const lines = [`holdfast configuration (configuration file: ${resolved.configFile ?? 'none'})`];
  for (const [name, spec] of Object.entries(SERVER_FLAGS) as Array<[ServerFlagName, FlagSpec]>) {
    const given = resolved.values.get(name);
    if (given === undefined) {
      lines.push(`  ${name} = ${spec.default ?? '(unset)'}  (default)`);
      continue;
    }
    const value = spec.secret ? maskSecret(given.value) : given.value;
    const source = given.source === 'flag' ? `--${name}` : given.source === 'env' ? envName(name) : 'configuration file';
    lines.push(`  ${name} = ${value}  (${source})`);
  }
  for (const variable of ENVIRONMENT_ONLY) {
    const value = env[variable.name];
    if (value) lines.push(`  ${variable.name} = ${variable.secret ? MASK : value}  (environment)`);
  }
  console.log(lines.join('\n'));
  try {
    parseConfig(argv, env);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`holdfast show-config: this configuration does not start: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
