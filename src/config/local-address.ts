// --check-config's host check: each neighbor's local-address must be an address of this host to be bound.
import { networkInterfaces } from 'node:os';
import type { Config } from './types.js';

/** Every address on this host's interfaces, as Node spells them. */
export function hostAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.add(i.address.toLowerCase());
  return out;
}

/**
 * A warning (not an error: the address may be added later, e.g. by keepalived or at boot) per
 * neighbor whose local-address is on no interface here: its connections would fail with
 * `bind EADDRNOTAVAIL`.
 */
export function localAddressWarnings(config: Pick<Config, 'neighbors'>, host: ReadonlySet<string>): string[] {
  const out: string[] = [];
  config.neighbors.forEach((n, i) => {
    const a = n.localAddress;
    if (a !== undefined && !host.has(a.toLowerCase())) {
      out.push(`neighbors[${i}].local-address: ${a} is not an address of this host; connecting to ${n.address} fails (bind EADDRNOTAVAIL) until it is`);
    }
  });
  return out;
}
