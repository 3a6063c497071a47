/**
 * `holdfast --help` and `holdfast <command> --help`, written from the flag table in
 * config/flag-table.ts, so every flag a command parses is listed with its variable, default and
 * meaning, and a flag cannot exist without its help line.
 */
import { COMMANDS, ENVIRONMENT_ONLY, SERVER_FLAGS, envName, type FlagSpec } from '../config/index.ts';

function flagLines(flags: Record<string, FlagSpec>, withEnvironment: boolean): string[] {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(flags)) {
    const shape = spec.kind === 'boolean' ? `--${name}[=true|false]` : `--${name} ${spec.value ?? '<value>'}`;
    const facts = [withEnvironment ? `env ${envName(name)}` : undefined, spec.default !== undefined ? `default ${spec.default}` : undefined].filter(Boolean);
    lines.push(`  ${shape}`, `      ${spec.description}`);
    if (facts.length > 0) lines.push(`      ${facts.join(' · ')}`);
  }
  return lines;
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'usage: holdfast <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    '',
    'Options:',
    '  --help, -h     this text; `holdfast <command> --help` lists every flag of a command',
    '  --version      the version of holdfast',
    '',
    'Every server flag is also read from HOLDFAST_<NAME> (upper case, dashes as underscores) and',
    'from the configuration file as <name>=<value>; a flag beats its variable, which beats the file.',
  ].join('\n');
}

export function commandHelp(command: string): string {
  const spec = COMMANDS[command];
  const lines = [`usage: ${spec.usage}`, '', spec.summary];
  if (Object.keys(spec.flags).length > 0) lines.push('', `Flags of ${command} (command line only):`, ...flagLines(spec.flags, false));
  if (spec.serverFlags) {
    lines.push('', 'Server flags (also HOLDFAST_<NAME>, and <name>=<value> in the configuration file):', ...flagLines(SERVER_FLAGS, true));
    lines.push('', 'Environment only (never a flag: a command line shows in ps):', ...ENVIRONMENT_ONLY.map(({ name, description }) => `  ${name}\n      ${description}`));
  }
  return lines.join('\n');
}
