// The package's version, read from package.json (two levels above dist/src/ in a clone and in an install).
import { readFileSync } from 'node:fs';

/** package.json's "version", e.g. "0.1.0". */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
