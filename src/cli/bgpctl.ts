#!/usr/bin/env node
// bgpctl: the operator's CLI. A thin commander program; one makeXCommand() per subcommand.
import { Command, Option } from 'commander';

function makeDecodeCommand(): Command {
  return new Command('decode')
    .description('decode BGP messages offline from a pcap/pcapng capture or a file of hex messages (one per line)')
    .argument('<file>', 'capture (.pcap, .pcapng) or text file of hex messages')
    .option('--json', 'one JSON object per message')
    .option('--verify', 're-encode every message and report each octet that differs (exit 1 if any)')
    .option('--asn2', 'hex input: AS_PATH carries 2-octet ASNs (default: 4-octet)')
    .addOption(new Option('--add-path <family...>', 'hex input: families with ADD-PATH identifiers').choices(['ipv4-unicast', 'ipv6-unicast', 'ipv4-multicast', 'ipv6-multicast']))
    .option('--extended-message', 'hex input: allow messages up to 65535 octets')
    .action(async (file: string, opts: { json?: boolean; verify?: boolean; asn2?: boolean; addPath?: string[]; extendedMessage?: boolean }) => {
      // Loaded here so that commands talking to the daemon do not pay for the decoder.
      const { decodeFile, DecodeInputError } = await import('./decode.js');
      try {
        const summary = await decodeFile(file, opts, (s) => process.stdout.write(s + '\n'));
        if (!opts.json) {
          process.stderr.write(
            `${summary.messages} messages, ${summary.malformed} malformed` + (opts.verify ? `, ${summary.differing} differ when re-encoded` : '') + '\n',
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

const program = new Command('bgpctl')
  .description('control and inspect tsbgp')
  .showHelpAfterError()
  .addCommand(makeDecodeCommand());

await program.parseAsync(process.argv);
