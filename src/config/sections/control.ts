// The `control` section: the Unix socket bgpctl talks to, and its file mode.
import { isScalar } from 'yaml';
import { DEFAULT_CONTROL_MODE, DEFAULT_CONTROL_SOCKET } from '../defaults.js';
import type { ControlConfig } from '../types.js';
import { describe, given, readMap, string, type Checker, type Entry } from '../yaml-checker.js';

const CONTROL_KEYS = ['socket', 'mode'] as const;
/** Linux sun_path is 108 bytes, one of them the terminating NUL. */
const SOCKET_PATH_MAX = 107;

export function readControl(c: Checker, e: Entry): ControlConfig {
  const control: ControlConfig = { socket: DEFAULT_CONTROL_SOCKET, mode: DEFAULT_CONTROL_MODE };
  const m = readMap(c, e.value, e.path, CONTROL_KEYS, 'a mapping with socket and mode');
  const socket = given(m, 'socket');
  if (socket) {
    const v = string(c, socket, DEFAULT_CONTROL_SOCKET);
    if (v !== undefined && Buffer.byteLength(v) > SOCKET_PATH_MAX) {
      c.bad(socket, `the path is ${Buffer.byteLength(v)} bytes long; a Unix socket path can be at most ${SOCKET_PATH_MAX}`);
    } else if (v !== undefined) control.socket = v;
  }
  const mode = given(m, 'mode');
  if (mode) {
    const v = fileMode(mode);
    if (v === undefined) c.bad(mode, `${describe(mode.value)} is not a file mode; expected octal such as "0660"`);
    else control.mode = v;
  }
  return control;
}

/** "0660", "660", "0o660", 0o660, or an unquoted 0660 (YAML 1.2 reads that as decimal 660; chmod means octal). */
export function fileMode(e: Entry): number | undefined {
  if (!isScalar(e.value)) return undefined;
  const v = e.value.value;
  const source = e.value.source;
  let mode: number | undefined;
  if (typeof v === 'string' || (typeof v === 'number' && source !== undefined && /^0[0-7]+$/.test(source))) {
    const m = /^(?:0o?)?([0-7]{1,4})$/.exec(typeof v === 'string' ? v : source!);
    mode = m ? parseInt(m[1]!, 8) : undefined;
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    mode = v;
  }
  return mode !== undefined && mode >= 0 && mode <= 0o777 ? mode : undefined;
}
