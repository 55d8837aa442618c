// The state file: the routes announced at run time, kept across restarts (written atomically).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import type { RouteSpec } from '../routes/local-routes.js';
import { formatCommunity, formatLargeCommunity, validateRoute } from '../routes/values.js';
import type { RouteInput } from '../routes/values.js';

export const STATE_VERSION = 1;

/** What the file holds. */
export interface StateFile {
  version: typeof STATE_VERSION;
  /** ISO time of the write. */
  savedAt: string;
  routes: RouteSpec[];
}

// Writes to one file run one after another, so the last call's routes are what stays on disk even
// when a second announce comes before the first write finished.
const queues = new Map<string, Promise<void>>();

/**
 * Save the routes: write a temp file in the same directory, fsync it, rename it over the target,
 * fsync the directory. A crash at any point leaves either the old file or the new one, never a
 * mix. Creates the directory (mode 0o750) when missing. Throws TsbgpError(FILE) naming the file.
 */
export function writeState(file: string, routes: readonly RouteSpec[]): Promise<void> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => writeNow(file, routes));
  queues.set(file, next);
  const forget = (): void => {
    if (queues.get(file) === next) queues.delete(file);
  };
  next.then(forget, forget);
  return next;
}

async function writeNow(file: string, routes: readonly RouteSpec[]): Promise<void> {
  const state: StateFile = { version: STATE_VERSION, savedAt: new Date().toISOString(), routes: [...routes] };
  const text = JSON.stringify(state, null, 2) + '\n';
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const fh = await open(temp, 'wx', 0o640);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new TsbgpError(TsbgpErrorCode.FILE, `cannot save the state file ${file}: ${errorText(e)}`);
  }
  // The rename is durable only once the directory entry is on disk.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch (e) {
    // Some file systems cannot fsync a directory; the file itself is complete either way.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') {
      throw new TsbgpError(TsbgpErrorCode.FILE, `cannot save the state file ${file}: syncing ${dir}: ${errorText(e)}`);
    }
  }
}

/**
 * The saved routes, or null when there is no state file yet. A file that is there but cannot be read
 * or is not valid throws TsbgpError(FILE) naming the file and the problem: the daemon logs it and
 * refuses to start, because starting from the config's routes instead would silently move the VIP
 * back to the next hop the operator failed away from.
 */
export async function readState(file: string): Promise<RouteSpec[] | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TsbgpError(TsbgpErrorCode.FILE, `cannot read the state file ${file}: ${errorText(e)}`);
  }
  const bad = (problem: string): TsbgpError =>
    new TsbgpError(
      TsbgpErrorCode.FILE,
      `state file ${file} is not valid: ${problem}; fix it, or move it away to start from the routes in the configuration`,
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(data)) throw bad('expected a JSON object');
  if (data.version !== STATE_VERSION) throw bad(`version ${JSON.stringify(data.version)} is not supported (expected ${STATE_VERSION})`);
  if (!Array.isArray(data.routes)) throw bad('"routes" is not a list');
  const seen = new Set<string>();
  return data.routes.map((r: unknown, i: number) => {
    let route: RouteSpec;
    try {
      route = validateRoute(routeInput(r));
    } catch (e) {
      throw bad(`routes[${i}]: ${errorText(e)}`);
    }
    if (seen.has(route.prefix)) throw bad(`routes[${i}]: ${route.prefix} appears twice`);
    seen.add(route.prefix);
    return route;
  });
}

const ROUTE_KEYS = new Set(['prefix', 'nextHop', 'med', 'communities', 'largeCommunities', 'asPathPrepend']);

/** A stored RouteSpec back as validateRoute's text input (communities are stored as numbers). */
function routeInput(r: unknown): RouteInput {
  const fail = (why: string): never => {
    throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, why);
  };
  if (!isObject(r)) return fail('expected an object with prefix and nextHop');
  for (const key of Object.keys(r)) if (!ROUTE_KEYS.has(key)) fail(`unknown key "${key}"`);
  const input: RouteInput = { prefix: r.prefix as string, nextHop: r.nextHop as string };
  if (r.med !== undefined) input.med = r.med as number;
  if (r.asPathPrepend !== undefined) input.asPathPrepend = r.asPathPrepend as number;
  if (r.communities !== undefined) {
    if (!Array.isArray(r.communities)) fail('communities is not a list');
    input.communities = (r.communities as unknown[]).map((n) =>
      isUint32(n) ? formatCommunity(n) : fail(`community ${JSON.stringify(n)} is not a 32-bit number`),
    );
  }
  if (r.largeCommunities !== undefined) {
    if (!Array.isArray(r.largeCommunities)) fail('largeCommunities is not a list');
    input.largeCommunities = (r.largeCommunities as unknown[]).map((c) =>
      Array.isArray(c) && c.length === 3 && c.every(isUint32)
        ? formatLargeCommunity(c as [number, number, number])
        : fail(`large community ${JSON.stringify(c)} is not three 32-bit numbers`),
    );
  }
  return input;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

function errorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOSPC') return 'no space left on the device';
  return e instanceof Error ? e.message : String(e);
}
