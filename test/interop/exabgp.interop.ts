// ExaBGP 4.2 as the route server. ExaBGP has no RIB and no query CLI, so the nearest honest
// equivalents are used: a "recorder" API process (JSON encoder) appends every message ExaBGP
// receives or decides (neighbor up/down, OPEN, UPDATE, NOTIFICATION, ROUTE-REFRESH) to a file, and
//  - "established" / hold time / capabilities come from its neighbor-change and received-OPEN
//    records (hold = min(ExaBGP's configured 180, tsbgp's offer), as RFC 4271 negotiates it);
//  - "the peer's RIB" is the Adj-RIB-In rebuilt from the recorded UPDATEs (announce replaces,
//    withdraw deletes, a session going down clears it);
//  - the Cease is the recorded NOTIFICATION 6/2.
// A "feeder" process follows a command file: ROUTE-REFRESH is `announce route-refresh ipv4 unicast`.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { type Lab, NS, type Proc, WATCHER, waitFor } from './harness.js';
import { type PeerDriver, interopSuite } from './scenario.js';

const EXA_HOLD = 180;
const EXA_RESTART = 120;
let exa: Proc | undefined;
const recv = (l: Lab): string => l.path('exabgp.recv.jsonl');
const cmds = (l: Lab): string => l.path('exabgp.cmds');

const conf = (l: Lab): string =>
  l.file(
    'exabgp.conf',
    `process feeder {
  run /usr/bin/timeout 600 /usr/bin/tail -n 0 -F ${cmds(l)};
  encoder text;
}
process recorder {
  run /usr/bin/timeout 600 /bin/sh -c "exec cat >> ${recv(l)}";
  encoder json;
}
neighbor ${WATCHER} {
  router-id 10.10.1.4;
  local-address 10.10.1.4;
  local-as 65515;
  peer-as 65001;
  hold-time ${EXA_HOLD};
  family {
    ipv4 unicast;
    ipv6 unicast;
  }
  capability {
    route-refresh;
    asn4 enable;
    graceful-restart ${EXA_RESTART};
  }
  static {
    route 10.20.0.0/16 next-hop 10.10.1.4;
    route 2001:db8:20::/48 next-hop 2001:db8:b::4;
  }
  api feed {
    processes [ feeder ];
  }
  api record {
    processes [ recorder ];
    neighbor-changes;
    receive {
      parsed;
      open;
      update;
      notification;
      refresh;
    }
  }
}
`,
  );

interface Rec {
  type?: string;
  neighbor?: { state?: string; message?: Record<string, any>; open?: Record<string, any> } & Record<string, any>;
  [k: string]: any;
}

function records(l: Lab): Rec[] {
  let text = '';
  try {
    text = readFileSync(recv(l), 'utf8');
  } catch {
    return [];
  }
  const out: Rec[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Rec);
    } catch {
      /* a line being written */
    }
  }
  return out;
}

const driver: PeerDriver = {
  name: 'exabgp',
  packages: { exabgp: 'exabgp' },
  ipv6: true,
  peerHoldTime: EXA_HOLD,
  async start(l) {
    writeFileSync(cmds(l), '', { flag: 'a' });
    exa = l.start('exabgp', NS.p, ['env', 'exabgp.daemon.user=root', 'exabgp.daemon.daemonize=false', 'exabgp.api.cli=false', 'exabgp.api.ack=false', 'exabgp.log.destination=stdout', 'exabgp.log.level=INFO', 'exabgp.log.message=true', 'exabgp', conf(l)]);
    await waitFor('ExaBGP to load its configuration', () => /loaded|Performing|connected|new peer|outgoing/i.test(l.logOf(exa!)) || undefined, 15000, 200).catch(() => undefined);
    return exa;
  },
  sessionPid: () => exa!.pid,
  async stop(l) {
    if (exa) await l.stop(exa, 'SIGTERM');
  },
  async info(l) {
    const rs = records(l);
    let state: string | undefined;
    let open: Record<string, any> | undefined;
    for (const r of rs) {
      if (r.type === 'state') state = r.neighbor?.state;
      if (r.type === 'open' && r.neighbor?.direction === 'receive') open = r.neighbor?.open;
    }
    const hold = typeof open?.hold_time === 'number' ? Math.min(EXA_HOLD, open.hold_time) : undefined;
    const caps = JSON.stringify(open?.capabilities ?? {});
    return {
      established: state === 'up',
      holdTime: hold,
      fourOctetAs: open ? /asn4|4-octet|ASN4/i.test(caps) : undefined,
      routeRefresh: open ? /route-refresh|refresh/i.test(caps) : undefined,
      raw: open,
    };
  },
  async vipNextHop(l) {
    let nh: string | undefined;
    for (const r of records(l)) {
      if (r.type === 'state' && r.neighbor?.state !== 'up') nh = undefined;
      if (r.type !== 'update') continue;
      const u = r.neighbor?.message?.update ?? {};
      for (const [hop, routes] of Object.entries<any>(u.announce?.['ipv4 unicast'] ?? {})) {
        if ((routes as { nlri: string }[]).some((x) => x.nlri === '100.64.0.1/32')) nh = hop;
      }
      if ((u.withdraw?.['ipv4 unicast'] ?? []).some((x: { nlri: string }) => x.nlri === '100.64.0.1/32')) nh = undefined;
    }
    return nh;
  },
  async refresh(l) {
    appendFileSync(cmds(l), 'announce route-refresh ipv4 unicast\n');
  },
  // ExaBGP 4.2.21 cannot decode a Cease that carries an RFC 9003 shutdown communication (tsbgpd's
  // SIGTERM sends "tsbgpd shutting down"): exabgp/bgp/message/notification.py line 141 formats the
  // decoded str into a bytes template -> TypeError -> ExaBGP answers NOTIFICATION 1/0 "can not decode
  // update message of type "3"" and records the session down with that reason. That is an ExaBGP
  // bug (the same bytes decode fine in FRR, BIRD, GoBGP, OpenBGPD, tshark and our decoder). The
  // nearest honest evidence it got the Cease: a recorded 6/2, or the down record naming a received
  // message of type 3 (NOTIFICATION); the 6/2 itself is asserted from the capture.
  // ExaBGP keeps no RIB of what it receives (its API processes get the messages), so there is
  // nothing of tsbgp's to keep across tsbgp's restart; what it records is asserted instead.
  grHelper: { because: 'ExaBGP keeps no RIB of received routes (they go to its API processes)' },
  async restartEvidence(l, t0) {
    // After t0: the session down without a NOTIFICATION from tsbgp (ExaBGP has no N: tsbgp sends
    // none), then tsbgp's OPEN with graceful restart for ipv4/ipv6 unicast (F bit, "restart" in
    // ExaBGP's JSON) and the R bit (which ExaBGP 4.2 names "forwarding"), then the VIP, then End-of-RIB.
    const rs = records(l).filter((r) => typeof r.time === 'number' && r.time * 1000 >= t0 - 1000);
    const down = rs.findIndex((r) => r.type === 'state' && r.neighbor?.state === 'down');
    if (down < 0) return undefined;
    const reason = String(rs[down]!.neighbor?.reason ?? '');
    if (rs.slice(0, down).some((r) => r.type === 'notification' && r.neighbor?.direction === 'receive')) return undefined;
    const after = rs.slice(down);
    const open = after.findIndex((r) => r.type === 'open' && r.neighbor?.direction === 'receive');
    const gr = open >= 0 ? after[open]!.neighbor?.open?.capabilities?.['64'] : undefined;
    if (!gr || gr.time !== 120 || !/forwarding/.test(JSON.stringify(gr['restart-flags']))) return undefined;
    const fams = JSON.stringify(gr['address-family-flags']);
    if (!/ipv4\/unicast"?:\s*\[\s*"restart"/.test(fams)) return undefined;
    const updates = after.slice(open).filter((r) => r.type === 'update');
    const vip = updates.findIndex((r) => JSON.stringify(r.neighbor?.message?.update?.announce ?? {}).includes('100.64.0.1/32'));
    const eor = updates.findIndex((r) => r.neighbor?.message?.eor !== undefined);
    if (vip < 0 || eor < vip) return undefined;
    return `down (${reason}) with no NOTIFICATION received; tsbgp's OPEN: graceful restart ${JSON.stringify(gr)}; the VIP, then End-of-RIB`;
  },
  async ceaseRecorded(l, _sent) {
    for (const r of records(l)) {
      const n = r.neighbor?.message?.notification;
      if (r.type === 'notification' && n?.code === 6 && n?.subcode === 2) return JSON.stringify(n);
      if (r.type === 'state' && r.neighbor?.state === 'down' && /of type \\?"3\\?"/.test(String(r.neighbor?.reason))) return String(r.neighbor?.reason);
    }
    return undefined;
  },
};

interopSuite(driver);
