#!/usr/bin/env node
// bgpctl: the operator's CLI. The failover command, `bgpctl announce PREFIX via NEXTHOP` (with at
// most --json/-j and --socket), runs without loading commander, which is ~10 ms of a start; any other
// form goes to the full program in bgpctl-program.ts, which parses it the same way.
import { defaultSocketPath } from '../control/client.js';
import { printChange, quietOnClosedStdout, talk } from './talk.js';

quietOnClosedStdout();

/** The plain failover command, or undefined when the full program must parse the arguments. */
function plainAnnounce(argv: readonly string[]): { prefix: string; nextHop: string; json: boolean; socket: string } | undefined {
  const words: string[] = [];
  let json = false;
  let socket: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json' || a === '-j') json = true;
    else if (a === '--socket' && i + 1 < argv.length) socket = argv[++i];
    else if (a.startsWith('-')) return undefined;
    else words.push(a);
  }
  if (words.length !== 4 || words[0] !== 'announce' || (words[2] !== 'via' && words[2] !== 'next-hop')) return undefined;
  return { prefix: words[1]!, nextHop: words[3]!, json, socket: socket ?? defaultSocketPath() };
}

const fast = plainAnnounce(process.argv.slice(2));
if (fast) {
  await talk({ json: fast.json, socket: fast.socket }, async (c, out) => {
    printChange(out, 'announce', await c.request('announce', { prefix: fast.prefix, nextHop: fast.nextHop }));
  });
} else {
  const { main } = await import('./bgpctl-program.js');
  await main(process.argv);
}
