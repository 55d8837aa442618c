// Talking to tsbgpd for a bgpctl command: connect, ask, print, and map errors to exit statuses.
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { ControlClient } from '../control/client.js';
import { type Output, jsonOutput, notSavedWarning, textOutput } from '../control/format.js';
import type { ChangeResult } from '../control/types.js';

export const EXIT_ERROR_REPLY = 1;
export const EXIT_USAGE = 2;

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

/** Print a change's reply; a change on the wire but not saved also warns on stderr (the exit status stays 0). */
export function printChange(out: Output, action: 'announce' | 'withdraw', r: ChangeResult): void {
  process.stdout.write(out.change(action, r));
  const warning = notSavedWarning(action, r);
  if (warning) process.stderr.write(warning);
}

export function fail(opts: { json?: boolean }, code: TsbgpError['code'], message: string, exitCode: number): void {
  process.stderr.write(textOutput().error({ code, message }));
  if (opts.json) process.stdout.write(jsonOutput.error({ code, message }));
  process.exitCode = exitCode;
}
