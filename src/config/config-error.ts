/** A flag or variable holdfast cannot honour: the CLI prints its one-line message and exits 2. */
export class ConfigError extends Error {}
