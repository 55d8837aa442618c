// Helpers for the config tests: what parseConfig reports for a text, and a minimal valid file to build on.
import * as assert from 'uvu/assert';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/types.js';

// Lines 1-5; tests append from line 6 on.
export const HEAD = `router-id: 10.0.0.1
local-as: 65001
neighbors:
  - address: 10.0.0.2
    remote-as: 65002
`;

/** The ConfigError parseConfig throws for `text` (fails the test when it throws nothing or something else). */
export function configError(text: string | Uint8Array, file = 'test.yaml'): ConfigError {
  try {
    parseConfig(text, file);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`no ConfigError for:\n${String(text)}`);
}

/** The problems parseConfig reports for `text`. */
export function problems(text: string | Uint8Array): ConfigProblem[] {
  return configError(text).problems;
}

/** Exactly one problem, at `path` and `line`, whose message contains `text`. */
export function one(yaml: string, path: string, line: number | undefined, text: string): void {
  const got = problems(yaml);
  assert.is(got.length, 1, JSON.stringify(got));
  assert.is(got[0]!.path, path);
  assert.is(got[0]!.line, line);
  assert.ok(got[0]!.message.includes(text), `"${got[0]!.message}" should contain "${text}"`);
}
