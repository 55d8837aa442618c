// runApiLine: the one entry point of every API line (control socket, named pipe, processes): ExaBGP text or a JSON control request.
import { dispatch, tsbgpVersion } from '../control/handlers.js';
import { encodeLine, errorReply } from '../control/protocol.js';
import { parseRequest } from '../control/requests.js';
import type { SpeakerControl } from '../control/types.js';
import { TsbgpErrorCode } from '../errors.js';
import { type ApiAnswer, type ApiSource, ExaDispatcher } from './text.js';

export { type ApiAnswer, type ApiSource, DONE, ERROR, ExaDispatcher } from './text.js';

/** A JSON control request, by its first non-blank character; anything else is an ExaBGP text line. */
export function isJsonLine(line: string): boolean {
  return /^\s*\{/.test(line);
}

/**
 * Run one line against the speaker and give back what to answer (never throws). Text: ExaBGP's
 * grammar (grammar.ts), answered with output lines and `done` / `error`. JSON: the control
 * protocol's request, answered with its reply line; `monitor` needs the control socket itself.
 */
export async function runApiLine(speaker: SpeakerControl, line: string, source: ApiSource): Promise<ApiAnswer> {
  if (!isJsonLine(line)) return new ExaDispatcher(speaker).run(line, { ...source, version: source.version ?? tsbgpVersion() });
  const parsed = parseRequest(line);
  if (!parsed.ok) return { format: 'json', status: 'error', lines: [encodeLine(parsed.reply).trimEnd()], reason: parsed.reply.error.message, code: parsed.reply.error.code };
  if (parsed.request.command === 'monitor') {
    const reason = 'monitor streams events on the control socket only (a process gets them with encoder: json)';
    return { format: 'json', status: 'error', lines: [encodeLine(errorReply(parsed.request.id, TsbgpErrorCode.BAD_REQUEST, reason)).trimEnd()], reason, code: TsbgpErrorCode.BAD_REQUEST };
  }
  const ctx = { version: source.version ?? tsbgpVersion(), ...(source.receivedAt === undefined ? {} : { receivedAt: source.receivedAt }) };
  const reply = await dispatch(speaker, parsed.request, ctx);
  const text = encodeLine(reply).trimEnd();
  return reply.ok ? { format: 'json', status: 'done', lines: [text] } : { format: 'json', status: 'error', lines: [text], reason: reply.error.message, code: reply.error.code };
}
