// The state file: route intents by owner (never config's), kept across restarts; written atomically.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, readlink, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { type Intent, OWNERS, type OwnedIntent, type Owner } from '../routes/intents.js';
import type { RouteSpec } from '../routes/local-routes.js';
import { formatCommunity, formatLargeCommunity, parseRoutePrefix, validateRoute } from '../routes/values.js';
import type { RouteInput } from '../routes/values.js';

export const STATE_VERSION = 2;

/** One stored intent: a route, or the owner's withdrawal of a prefix. */
export type StoredIntent = { owner: Exclude<Owner, 'config'>; prefix: string } & ({ route: RouteSpec } | { withdrawn: true });

/** What the file holds (version 1 held `routes`: the operator's announcements; it is still read). */
export interface StateFile {
  version: typeof STATE_VERSION;
  /** ISO time of the write. */
  savedAt: string;
  intents: StoredIntent[];
  /** Journal lines up to this sequence number are in `intents` (see journal.ts). */
  journalSeq?: number;
}

/** What a read gives back: the intents and when they were saved. */
export interface SavedState {
  savedAt?: string;
  intents: OwnedIntent[];
  /** The last journal line the snapshot already holds (0: none). */
  journalSeq?: number;
}

function storedIntent(o: OwnedIntent): StoredIntent {
  if (o.owner === 'config') throw new Error('config intents come from the configuration file, never from the state file');
  const i = o.intent;
  return i.kind === 'announce' ? { owner: o.owner, prefix: i.route.prefix, route: i.route } : { owner: o.owner, prefix: i.prefix, withdrawn: true };
}

// Writes to one file run one after another, so the last call's routes are what stays on disk even
// when a second announce comes before the first write finished.
const queues = new Map<string, Promise<void>>();

/**
 * Save the routes: write a temp file in the same directory, fsync it, rename it over the target,
 * fsync the directory. A crash at any point leaves either the old file or the new one, never a
 * mix. Creates the directory (mode 0o750) when missing. Throws TsbgpError(FILE) naming the file.
 */
export function writeState(file: string, intents: readonly OwnedIntent[], wall: () => number = Date.now, journalSeq?: number): Promise<void> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => writeNow(file, intents, wall, journalSeq));
  queues.set(file, next);
  const forget = (): void => {
    if (queues.get(file) === next) queues.delete(file);
  };
  next.then(forget, forget);
  return next;
}

async function writeNow(file: string, intents: readonly OwnedIntent[], wall: () => number, journalSeq: number | undefined): Promise<void> {
  const state: StateFile = { version: STATE_VERSION, savedAt: new Date(wall()).toISOString(), intents: intents.map(storedIntent), ...(journalSeq ? { journalSeq } : {}) };
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');
}

/** Write a file so that a crash leaves the old one or the new one, never a mix. Throws TsbgpError(FILE). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
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
 * The saved intents, or null when there is no state file yet. A file that is there but cannot be
 * read or is not valid throws TsbgpError(FILE) naming the file and the problem: the daemon logs it
 * and refuses to start, because starting from the config's routes instead would silently move the
 * VIP back to the next hop the operator failed away from. A symlink to a missing file is such an
 * error too (a broken deployment), not "no state yet".
 */
export async function readState(file: string): Promise<SavedState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      const link = await lstat(file).then((st) => (st.isSymbolicLink() ? readlink(file) : undefined), () => undefined);
      if (link !== undefined) throw new TsbgpError(TsbgpErrorCode.FILE, `state file ${file} is a symbolic link to ${link}, which does not exist; fix the link or remove it`);
      return null;
    }
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
  const savedAt = typeof data.savedAt === 'string' ? data.savedAt : undefined;
  if (data.version === 1) {
    // Version 1 kept the operator's announcements as plain routes.
    if (!Array.isArray(data.routes)) throw bad('"routes" is not a list');
    return { ...(savedAt ? { savedAt } : {}), intents: unique(data.routes.map((r: unknown, i: number) => ({ owner: 'operator', intent: { kind: 'announce', route: storedRoute(r, `routes[${i}]`, bad) } })), 'routes', bad) };
  }
  if (data.version !== STATE_VERSION) throw bad(`version ${JSON.stringify(data.version)} is not supported (expected ${STATE_VERSION} or 1)`);
  if (!Array.isArray(data.intents)) throw bad('"intents" is not a list');
  const intents = data.intents.map((x: unknown, i: number): OwnedIntent => {
    const c = parseJournalChange(x, `intents[${i}]`, bad);
    if ('cleared' in c) throw bad(`intents[${i}]: expected either route or withdrawn: true`);
    return c;
  });
  const journalSeq = typeof data.journalSeq === 'number' ? data.journalSeq : 0;
  return { ...(savedAt ? { savedAt } : {}), intents: unique(intents, 'intents', bad), ...(journalSeq ? { journalSeq } : {}) };
}

/** One change as the journal holds it: an owner's intent set, or an owner's intent for a prefix dropped. */
export type Change = OwnedIntent | { owner: Exclude<Owner, 'config'>; prefix: string; cleared: true };

/** A stored intent or journal change, checked; `where` names it in the error. */
export function parseJournalChange(x: unknown, where: string, bad: (problem: string) => TsbgpError): Change {
  if (!isObject(x)) throw bad(`${where}: expected an object with owner, prefix and route or withdrawn`);
  const owner = x.owner;
  if (typeof owner !== 'string' || !(OWNERS as readonly string[]).includes(owner) || owner === 'config') {
    throw bad(`${where}: owner ${JSON.stringify(owner)} is not one of ${OWNERS.filter((o) => o !== 'config').join(', ')}`);
  }
  for (const k of Object.keys(x)) if (!['owner', 'prefix', 'route', 'withdrawn', 'cleared'].includes(k)) throw bad(`${where}: unknown key "${k}"`);
  let prefix: string;
  try {
    prefix = parseRoutePrefix(String(x.prefix)).prefix;
  } catch (e) {
    throw bad(`${where}: ${errorText(e)}`);
  }
  const kinds = [x.route !== undefined, x.withdrawn === true, x.cleared === true].filter(Boolean).length;
  if (kinds !== 1) throw bad(`${where}: expected either route or withdrawn: true`);
  if (x.cleared === true) return { owner: owner as Exclude<Owner, 'config'>, prefix, cleared: true };
  if (x.withdrawn === true) return { owner: owner as Owner, intent: { kind: 'withdraw', prefix } };
  const route = storedRoute(x.route, `${where}.route`, bad);
  if (route.prefix !== prefix) throw bad(`${where}: route is for ${route.prefix}, not ${prefix}`);
  return { owner: owner as Owner, intent: { kind: 'announce', route } };
}

export function storedChange(c: Change): StoredIntent | { owner: string; prefix: string; cleared: true } {
  return 'cleared' in c ? c : storedIntent(c);
}

function storedRoute(r: unknown, where: string, bad: (problem: string) => TsbgpError): RouteSpec {
  try {
    return validateRoute(routeInput(r));
  } catch (e) {
    throw bad(`${where}: ${errorText(e)}`);
  }
}

/** One intent per owner and prefix. */
function unique(list: OwnedIntent[], what: string, bad: (problem: string) => TsbgpError): OwnedIntent[] {
  const seen = new Set<string>();
  list.forEach((o, i) => {
    const key = `${o.owner} ${o.intent.kind === 'announce' ? o.intent.route.prefix : o.intent.prefix}`;
    if (seen.has(key)) throw bad(`${what}[${i}]: ${key.split(' ')[1]} appears twice for owner ${o.owner}`);
    seen.add(key);
  });
  return list;
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
