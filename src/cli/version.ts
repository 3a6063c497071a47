/** The version `holdfast --version` prints: package.json's, built into the bundle so it needs no file at run time. */
import packageJson from '../../package.json' with { type: 'json' };

export const HOLDFAST_VERSION: string = packageJson.version;
