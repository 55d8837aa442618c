// Talking to tsbgpd for a bgpctl command: connect, ask, print, and map errors to exit statuses.
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { ControlClient } from '../control/client.js';
import { type Output, jsonOutput, notSavedWarning, textOutput } from '../control/format.js';
import type { ChangeResult } from '../control/types.js';

export const EXIT_ERROR_REPLY = 1;
export const EXIT_USAGE = 2;
/** An announce or withdraw that changed the route but reached no neighbor (none Established, or none configured). */
export const EXIT_REACHED_NONE = 3;
/** An announce or withdraw that reached some neighbors but not every Established one. */
export const EXIT_REACHED_SOME = 4;

/** The table of exit statuses, as `bgpctl --help` and the README give it. */
export const EXIT_STATUS_HELP = [
  'Exit status:',
  '  0  done (also: an announce identical to the route in place, a withdraw of a route not announced: nothing sent, said so)',
  '  1  tsbgpd answered with an error (the TSBGP_ERR_* code is on stderr, and on stdout with --json)',
  '  2  usage error, or tsbgpd unreachable',
  '  3  announce/withdraw: in effect, but reached none of the neighbors (none Established); they get it when they come up',
  '  4  announce/withdraw: reached some neighbors but not every Established one (the reply says which, and why)',
].join('\n');

/**
 * `bgpctl ... | head` closing the pipe is a normal way to stop reading: leave quietly with status 0
 * (not an EPIPE stack trace); any other stdout error is still thrown.
 */
export function quietOnClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

export interface DaemonOptions {
  json?: boolean;
  socket: string;
}

/** Connect, run `fn`, and turn a TsbgpError into the message, the exit status and (--json) the error object. */
export async function talk(opts: DaemonOptions, fn: (client: ControlClient, out: Output) => Promise<void>): Promise<void> {
  const out = opts.json ? jsonOutput : textOutput();
  let client: ControlClient | undefined;
  try {
    client = await ControlClient.connect(opts.socket);
    await fn(client, out);
  } catch (e) {
    if (!(e instanceof TsbgpError)) throw e;
    fail(opts, e.code, e.message, e.code === TsbgpErrorCode.UNREACHABLE ? EXIT_USAGE : EXIT_ERROR_REPLY);
  } finally {
    client?.close();
  }
}

/**
 * Print a change's reply and set the exit status from how far it got (EXIT_REACHED_NONE/SOME); a
 * change on the wire but not saved also warns on stderr (that alone keeps the exit status 0).
 */
export function printChange(out: Output, action: 'announce' | 'withdraw', r: ChangeResult): void {
  process.stdout.write(out.change(action, r));
  const warning = notSavedWarning(action, r);
  if (warning) process.stderr.write(warning);
  const status = changeExitStatus(r);
  if (status !== 0) {
    const sent = r.peers.filter((p) => p.sent).length;
    const established = r.peers.filter((p) => p.state === 'Established').length;
    process.stderr.write(`bgpctl: warning: ${action} ${r.prefix} reached ${sent} of ${r.peers.length} neighbors (${established} Established); exit status ${status}\n`);
    process.exitCode = status;
  }
}

/** 0, or how a change fell short of the neighbors: an unchanged route reached all it needs to. */
export function changeExitStatus(r: ChangeResult): number {
  if (!r.changed) return 0;
  const sent = r.peers.filter((p) => p.sent).length;
  if (sent === 0) return EXIT_REACHED_NONE;
  return r.peers.some((p) => p.state === 'Established' && !p.sent) ? EXIT_REACHED_SOME : 0;
}

export function fail(opts: { json?: boolean }, code: TsbgpError['code'], message: string, exitCode: number): void {
  process.stderr.write(textOutput().error({ code, message }));
  if (opts.json) process.stdout.write(jsonOutput.error({ code, message }));
  process.exitCode = exitCode;
}
