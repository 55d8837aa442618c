// bgpctl's full program: commander, one makeXCommand() per subcommand. The entry (bgpctl.ts) runs
// the failover command without it; everything else comes here.
// Exit statuses: EXIT_STATUS_HELP in talk.ts (0 done, 1 error reply, 2 usage/unreachable, 3/4 a change that reached none/some neighbors).
// Daemon commands load only the control client and the formatter: no codec, pino or yaml.
import { basename } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { DEFAULT_SOCKET } from '../control/client.js';
import { jsonOutput } from '../control/format.js';
import { type AnnounceArgs, NEIGHBOR_ACTIONS, type NeighborAction, type ShowRoutesArgs, VIP_ACTIONS, type VipAction } from '../control/protocol.js';
import { type DaemonOptions, EXIT_STATUS_HELP, EXIT_USAGE, printChange, talk } from './talk.js';
import { VERSION } from '../version.js';
import { bashCompletion, zshCompletion } from './completion.js';

/** A command that talks to tsbgpd: every one takes --json and --socket. */
function daemonCommand(name: string): Command {
  return new Command(name)
    .option('-j, --json', 'one JSON object per reply (monitor: per event); errors too, as {"error":{...}}; accepted anywhere on the line')
    .addOption(new Option('--socket <path>', 'control socket of tsbgpd').env('TSBGP_SOCKET').default(DEFAULT_SOCKET));
}

function usageError(cmd: Command, opts: { json?: boolean }, message: string): never {
  if (opts.json) process.stdout.write(jsonOutput.error({ code: TsbgpErrorCode.BAD_ARGUMENT, message }));
  cmd.error(`bgpctl ${cmd.name()}: ${message}`, { exitCode: EXIT_USAGE, code: 'bgpctl.usage' });
}

function integer(text: string): number {
  if (!/^\d{1,10}$/.test(text)) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(text);
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function makeAnnounceCommand(): Command {
  return daemonCommand('announce')
    .description('announce a route, or move it to a new next hop (one UPDATE, no withdraw)')
    .usage('<prefix> via <nexthop> [options]')
    .argument('<prefix>')
    .argument('[words...]')
    .option('--med <N>', 'MULTI_EXIT_DISC', integer)
    .option('--community <A:B>', 'a community (A:B, no-export, no-advertise, no-export-subconfed); repeat for more', collect)
    .option('--large-community <A:B:C>', 'a large community; repeat for more', collect)
    .option('--as-path-prepend <N>', 'extra copies of our AS in the AS_PATH', integer)
    .addHelpText('after', '\nExample:\n  bgpctl announce 100.64.0.1/32 via 10.10.0.5 --community 65010:100')
    .action(async function (this: Command, prefix: string, words: string[]) {
      const opts = this.opts<DaemonOptions & { med?: number; community?: string[]; largeCommunity?: string[]; asPathPrepend?: number }>();
      const example = `bgpctl announce ${prefix} via <nexthop>`;
      if (words.length === 0) usageError(this, opts, `missing "via <nexthop>" after the prefix, e.g. ${example}`);
      // `next-hop` as ExaBGP spells it: a user coming from it types that.
      if (words[0] !== 'via' && words[0] !== 'next-hop') usageError(this, opts, `expected the word "via" before the next hop, e.g. bgpctl announce ${prefix} via ${words[0]}`);
      if (words.length === 1) usageError(this, opts, `missing the next hop after "via", e.g. ${example}`);
      if (words.length > 2) usageError(this, opts, `unexpected arguments after the next hop: ${words.slice(2).join(' ')}`);
      const args: AnnounceArgs = { prefix, nextHop: words[1]! };
      if (opts.med !== undefined) args.med = opts.med;
      if (opts.community) args.communities = opts.community;
      if (opts.largeCommunity) args.largeCommunities = opts.largeCommunity;
      if (opts.asPathPrepend !== undefined) args.asPathPrepend = opts.asPathPrepend;
      await talk(opts, async (c, out) => {
        printChange(out, 'announce', await c.request('announce', args));
      });
    });
}

function makeWithdrawCommand(): Command {
  return daemonCommand('withdraw')
    .description('withdraw a route from every neighbor')
    .argument('<prefix>')
    .action(async function (this: Command, prefix: string) {
      await talk(this.opts<DaemonOptions>(), async (c, out) => {
        printChange(out, 'withdraw', await c.request('withdraw', { prefix }));
      });
    });
}

function makeShowNeighborsCommand(): Command {
  return daemonCommand('neighbors')
    .alias('neighbor')
    .description('each neighbor in detail: state, timers, capabilities, message and prefix counts, last error')
    .argument('[address]')
    .action(async function (this: Command, address: string | undefined) {
      await talk(this.opts<DaemonOptions>(), async (c, out) => {
        process.stdout.write(out.neighbors(await c.request('show-neighbors', address === undefined ? {} : { address })));
      });
    });
}

function makeShowSummaryCommand(): Command {
  return daemonCommand('summary')
    .description('one line per neighbor: AS, messages, up/down time, state or prefixes received')
    .action(async function (this: Command) {
      await talk(this.opts<DaemonOptions>(), async (c, out) => {
        process.stdout.write(out.summary(await c.request('show-summary')));
      });
    });
}

function makeShowRoutesCommand(): Command {
  return daemonCommand('routes')
    .alias('rib')
    .description('routes we originate (default), received from neighbors, or advertised to them')
    .addOption(new Option('--received', 'routes neighbors sent us').conflicts('advertised'))
    .option('--advertised', 'routes we sent to neighbors')
    .option('--neighbor <address>', 'only this neighbor (with --received or --advertised)')
    .option('--prefix <prefix>', 'only routes for this prefix or inside it, e.g. 10.0.0.0/8')
    .option('--limit <N>', 'at most N routes (says so when more match)', integer)
    .action(async function (this: Command) {
      const opts = this.opts<DaemonOptions & { received?: boolean; advertised?: boolean; neighbor?: string; prefix?: string; limit?: number }>();
      const view = opts.received ? 'received' : opts.advertised ? 'advertised' : 'local';
      if (opts.neighbor !== undefined && view === 'local') usageError(this, opts, '--neighbor goes with --received or --advertised');
      const args: ShowRoutesArgs = { view };
      if (opts.neighbor !== undefined) args.neighbor = opts.neighbor;
      if (opts.prefix !== undefined) args.prefix = opts.prefix;
      if (opts.limit !== undefined) args.limit = opts.limit;
      await talk(opts, async (c, out) => {
        process.stdout.write(out.routes(await c.request('show-routes', args)));
      });
    });
}

function makeShowVipsCommand(): Command {
  return daemonCommand('vips')
    .alias('vip')
    .description('health-checked VIPs: where each is announced, its mode, its candidates\' health and checks, its last move')
    .argument('[name]')
    .action(async function (this: Command, name: string | undefined) {
      await talk(this.opts<DaemonOptions>(), async (c, out) => {
        process.stdout.write(out.vips(await c.request('show-vips', name === undefined ? {} : { name })));
      });
    });
}

function makeShowProcessesCommand(): Command {
  return daemonCommand('processes')
    .description('ExaBGP-style programs (processes:): state, PID, restarts, last exit, events dropped because one did not read its stdin')
    .action(async function (this: Command) {
      await talk(this.opts<DaemonOptions>(), async (c, out) => {
        process.stdout.write(out.processes(await c.request('show-processes')));
      });
    });
}

function makeShowCommand(): Command {
  return new Command('show')
    .description('show neighbors, summary, routes, VIPs or processes')
    .addCommand(makeShowNeighborsCommand())
    .addCommand(makeShowSummaryCommand())
    .addCommand(makeShowRoutesCommand())
    .addCommand(makeShowVipsCommand())
    .addCommand(makeShowProcessesCommand());
}

function makeNeighborCommand(): Command {
  return daemonCommand('neighbor')
    .description('bring a session up or down, or ask the neighbor to send its routes again')
    .usage('<address> up|down|refresh [options]')
    .argument('<address>')
    .addArgument(new Argument('<action>').choices(NEIGHBOR_ACTIONS))
    .option('--message <text>', 'with down: RFC 9003 shutdown communication sent to the neighbor')
    .action(async function (this: Command, address: string, action: NeighborAction) {
      const opts = this.opts<DaemonOptions & { message?: string }>();
      if (opts.message !== undefined && action !== 'down') usageError(this, opts, '--message goes with "down" only');
      await talk(opts, async (c, out) => {
        const args = opts.message === undefined ? { address, action } : { address, action, communication: opts.message };
        process.stdout.write(out.neighborAction(await c.request('neighbor', args)));
      });
    });
}

function makeVipCommand(): Command {
  return daemonCommand('vip')
    .description('move a health-checked VIP by hand, freeze or unfreeze its automatic moves, or list its moves')
    .usage('<name> move <candidate>|freeze|unfreeze|history [options]')
    .argument('<name>', 'the VIP (vips[].name in the config)')
    .addArgument(new Argument('<action>').choices(VIP_ACTIONS))
    .argument('[candidate]', 'with move: the candidate to announce the VIP via')
    .addHelpText(
      'after',
      '\nA move is recorded as the operator\'s. Freeze a VIP to stop its automatic moves (maintenance),\nunfreeze it to let its health checks decide again.\n\nExamples:\n  bgpctl vip web freeze\n  bgpctl vip web move ws2\n  bgpctl vip web history',
    )
    .action(async function (this: Command, name: string, action: VipAction, candidate: string | undefined) {
      const opts = this.opts<DaemonOptions>();
      if (action === 'move' && candidate === undefined) usageError(this, opts, `missing the candidate after "move", e.g. bgpctl vip ${name} move ws2`);
      if (action !== 'move' && candidate !== undefined) usageError(this, opts, `unexpected argument after "${action}": ${candidate}`);
      await talk(opts, async (c, out) => {
        switch (action) {
          case 'move':
            process.stdout.write(out.vipMove(await c.request('vip-move', { name, candidate: candidate! })));
            break;
          case 'freeze':
          case 'unfreeze':
            process.stdout.write(out.vipMode(await c.request(action === 'freeze' ? 'vip-freeze' : 'vip-unfreeze', { name })));
            break;
          case 'history':
            process.stdout.write(out.vipHistory(await c.request('vip-history', { name })));
            break;
        }
      });
    });
}

function makeMonitorCommand(): Command {
  return daemonCommand('monitor')
    .description('print events as they happen: session states, routes, notifications, VIP health and moves')
    .action(async function (this: Command) {
      const opts = this.opts<DaemonOptions>();
      await talk(opts, async (c, out) => {
        if (!opts.json && process.stderr.isTTY) process.stderr.write(`monitoring tsbgpd at ${opts.socket}; Ctrl-C to stop\n`);
        await c.monitor((e) => process.stdout.write(out.event(e)));
      });
    });
}

function makeReloadCommand(): Command {
  return daemonCommand('reload')
    .description('re-read the configuration file (same as SIGHUP)')
    .action(async function (this: Command) {
      await talk(this.opts<DaemonOptions>(), async (c, out) => {
        process.stdout.write(out.reload(await c.request('reload')));
      });
    });
}

function makeShutdownCommand(): Command {
  return daemonCommand('shutdown')
    .description('stop tsbgpd: for a restart (default, as SIGTERM: graceful-restart peers keep our routes) or for good (--hard: they flush them)')
    .option('--hard', 'decommission: Cease / Hard Reset (RFC 8538), or Cease / Administrative Shutdown where the peer lacks it; peers flush our routes')
    .addHelpText(
      'after',
      '\ntsbgpd answers with what each peer is sent, then stops (exit status 0, or 75 when a change is not\nsaved to the state file). A restart: bgpctl shutdown (or SIGTERM), then start tsbgpd again within\nthe restart time (graceful-restart.restart-time, default 120 s).',
    )
    .action(async function (this: Command) {
      const opts = this.opts<DaemonOptions & { hard?: boolean }>();
      await talk(opts, async (c, out) => {
        process.stdout.write(out.shutdown(await c.request('shutdown', opts.hard ? { hard: true } : {})));
      });
    });
}

function makeExabgpCommand(): Command {
  return daemonCommand('exabgp')
    .description("run one ExaBGP 4.2 text command, e.g. 'announce route 100.64.0.1/32 next-hop 10.10.0.5'; prints its answer (done, or error and why)")
    .argument('<line...>', 'the command (quoted, or as separate words)')
    .addHelpText('after', "\nExamples:\n  bgpctl exabgp 'announce route 100.64.0.1/32 next-hop 10.10.0.5'\n  bgpctl exabgp 'show neighbor summary'\n\nExit status 1 when tsbgpd answers error (the reason is on stderr).")
    .action(async function (this: Command, words: string[]) {
      const opts = this.opts<DaemonOptions>();
      const line = words.join(' ');
      if (line.includes('\n')) usageError(this, opts, 'one line only: run bgpctl exabgp once per command');
      await talk(opts, async (c) => {
        try {
          const r = await c.request('exabgp', { line });
          if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
          else process.stdout.write(r.answer.map((l) => l + '\n').join(''));
          if (r.warning) process.stderr.write(`bgpctl exabgp: warning: ${r.warning}\n`);
        } catch (e) {
          // As ExaBGP answers: the word `error`; the reason for the operator on stderr.
          if (e instanceof TsbgpError && e.code !== TsbgpErrorCode.UNREACHABLE && !opts.json) process.stdout.write('error\n');
          throw e;
        }
      });
    });
}

function makePingCommand(): Command {
  return daemonCommand('ping')
    .description('check that tsbgpd answers')
    .action(async function (this: Command) {
      await talk(this.opts<DaemonOptions>(), async (c, out) => {
        process.stdout.write(out.ping(await c.request('ping')));
      });
    });
}

function makeDecodeCommand(): Command {
  return new Command('decode')
    .description('decode BGP messages offline from a pcap/pcapng capture (gzip\'d or not) or a file of hex messages (one per line, optionally after an id and a tab)')
    .argument('<file>', 'capture (.pcap, .pcapng, .gz) or text file of hex messages')
    .option('-j, --json', 'one JSON object per message')
    .option('--verify', 're-encode every message and report each octet that differs (exit 1 if any)')
    .addOption(new Option('--as2', 'AS numbers are 2 octets: hex input (default 4), and capture sessions whose OPENs were not captured (default: guessed per UPDATE)').conflicts('as4'))
    .addOption(new Option('--as4', 'AS numbers are 4 octets, for the same inputs as --as2').conflicts('as2'))
    .addOption(new Option('--asn2', 'the same as --as2').hideHelp())
    .addOption(new Option('--add-path <family...>', 'hex input: families with ADD-PATH identifiers').choices(['ipv4-unicast', 'ipv6-unicast', 'ipv4-multicast', 'ipv6-multicast']))
    .option('--extended-message', 'hex input: allow messages up to 65535 octets')
    .action(async (file: string, opts: { json?: boolean; verify?: boolean; as2?: boolean; as4?: boolean; asn2?: boolean; addPath?: string[]; extendedMessage?: boolean }) => {
      // Loaded here so that commands talking to the daemon do not pay for the decoder.
      const { decodeFile, DecodeInputError } = await import('./decode.js');
      try {
        const summary = await decodeFile(file, opts, (s) => process.stdout.write(s + '\n'));
        if (!opts.json) {
          process.stderr.write(
            `${summary.messages} messages, ${summary.malformed} malformed` + (summary.warnings ? `, ${summary.warnings} stream warnings (gaps or unsynchronised streams)` : '') + (opts.verify ? `, ${summary.differing} differ when re-encoded` : '') + '\n',
          );
        }
        if (summary.differing > 0) process.exitCode = 1;
      } catch (e) {
        if (e instanceof DecodeInputError) {
          process.stderr.write(`bgpctl decode: ${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
    });
}

function makeCompletionCommand(): Command {
  return new Command('completion')
    .description('print a shell completion script: source <(bgpctl completion bash), or zsh')
    .addArgument(new Argument('<shell>').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      const names = ['bgpctl', 'tsbgpctl'];
      process.stdout.write(shell === 'bash' ? bashCompletion(program, names) : zshCompletion(program, names));
    });
}

/** addCommand() does not pass settings down: give every command the same error handling. */
function everywhere(cmd: Command): Command {
  cmd
    .exitOverride()
    .showHelpAfterError()
    // List subcommands by their usage ("announce <prefix> via <nexthop> [options]"), not their raw arguments.
    .configureHelp({ subcommandTerm: (c) => `${c.name()}${c.aliases()[0] ? '|' + c.aliases()[0] : ''} ${c.usage()}`.trimEnd() });
  for (const sub of cmd.commands) everywhere(sub);
  return cmd;
}

const program = everywhere(
  new Command('bgpctl')
    .description("control and inspect tsbgpd: tsbgp's bgpctl (also installed as tsbgpctl), not OpenBGPD's")
    .version(VERSION, '-V, --version', "print tsbgp's version")
    .addCommand(makeAnnounceCommand())
    .addCommand(makeWithdrawCommand())
    .addCommand(makeShowCommand())
    .addCommand(makeNeighborCommand())
    .addCommand(makeVipCommand())
    .addCommand(makeMonitorCommand())
    .addCommand(makeReloadCommand())
    .addCommand(makeShutdownCommand())
    .addCommand(makePingCommand())
    .addCommand(makeExabgpCommand())
    .addCommand(makeDecodeCommand())
    .addCommand(makeCompletionCommand())
    .addHelpText('after', `\nThe socket is --socket, else $TSBGP_SOCKET, else ${DEFAULT_SOCKET}.\n--json (or -j) may stand anywhere on the line.\n\n${EXIT_STATUS_HELP}`),
);

/**
 * `--json` (or `-j`, the OpenBGPD habit) anywhere before `--`, e.g. `bgpctl --json show summary` or
 * `bgpctl show -j summary`: moved to just after the command words (`show summary --json`), where the
 * command that takes it finds it, and where it cannot be read as an option's value. Without a
 * command (`bgpctl -j`) the line is left for commander to refuse.
 */
export function jsonAnywhere(root: Command, argv: readonly string[]): string[] {
  const [node = '', script = '', ...args] = argv;
  const end = args.indexOf('--');
  const head = end < 0 ? args : args.slice(0, end);
  const rest = head.filter((a) => a !== '--json' && a !== '-j');
  if (rest.length === head.length) return [...argv];
  let cmd = root;
  let words = 0;
  for (const word of rest) {
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    cmd = sub;
    words++;
  }
  if (words === 0) return [...argv];
  return [node, script, ...rest.slice(0, words), '--json', ...rest.slice(words), ...(end < 0 ? [] : args.slice(end))];
}

export async function main(argv: string[]): Promise<void> {
  // Installed under two names: the help and errors use the one it was called by.
  const called = basename(argv[1] ?? '').replace(/\.js$/, '');
  if (called === 'tsbgpctl') program.name(called);
  try {
    await program.parseAsync(jsonAnywhere(program, argv));
  } catch (e) {
    // Commander has printed its message (or the help): only the exit status is left to set.
    if (!(e instanceof CommanderError)) throw e;
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  }
}
