// The `exabgp` section: the named pipe (FIFO) tsbgpd creates for ExaBGP scripts, and its file mode.
import { DEFAULT_EXABGP_PIPE_MODE } from '../defaults.js';
import type { ExabgpConfig } from '../types.js';
import { describe, given, readMap, string, type Checker, type Entry } from '../yaml-checker.js';
import { fileMode } from './control.js';

const EXABGP_KEYS = ['pipe', 'pipe-mode'] as const;

export function readExabgp(c: Checker, e: Entry): ExabgpConfig | undefined {
  const m = readMap(c, e.value, e.path, EXABGP_KEYS, 'a mapping with pipe and pipe-mode');
  if (!m) return undefined;
  const pipe = given(m, 'pipe');
  const mode = given(m, 'pipe-mode');
  let pipeMode = DEFAULT_EXABGP_PIPE_MODE;
  if (mode) {
    const v = fileMode(mode);
    if (v === undefined) c.bad(mode, `${describe(mode.value)} is not a file mode; expected octal such as "0660"`);
    else pipeMode = v;
  }
  if (!pipe) {
    if (mode) c.bad(mode, 'pipe-mode goes with pipe: set exabgp.pipe to the FIFO path, e.g. /run/tsbgp/exabgp.cmd');
    return undefined;
  }
  const path = string(c, pipe, '/run/tsbgp/exabgp.cmd');
  if (path === undefined) return undefined;
  if (!path.startsWith('/')) {
    c.bad(pipe, `"${path}" is not an absolute path; expected e.g. /run/tsbgp/exabgp.cmd`);
    return undefined;
  }
  return { pipe: path, pipeMode };
}
