// Mass announce, tsbgp vs ExaBGP 4.2 in the same run: N /32s pipelined in one write -> both BIRD peers hold all N; UPDATEs counted on the wire.
import { Bird, Capture, Exabgp, have, isRoot } from './daemons.js';
import { ControlConn, connectWhenUp, freePort, hostPrefixes, nowMs, poll, secs, sleep, startTsbgpd, tempDir, tsbgpdYaml } from './harness.js';

export type MassSpeaker = 'tsbgp' | 'ExaBGP 4.2';
const NEXT_HOP = '10.10.0.4';

export interface MassRow {
  speaker: MassSpeaker;
  n: number;
  /** First command written -> both BIRDs hold all N (BIRD polled every 50 ms); undefined: timed out. */
  seconds: number | undefined;
  timeoutSeconds: number;
  /** Routes each BIRD held at the end. */
  held: number[];
  /** First command written -> the last UPDATE with routes on the wire (capture), per BIRD. */
  wireSeconds: (number | undefined)[];
  /** UPDATEs with routes each BIRD received after the first command (capture); undefined without one. */
  updates: number[] | undefined;
  withdrawn: number[] | undefined;
  /** tsbgp: replies on the control socket (ok / errors) and when the last one arrived. */
  replies?: { ok: number; errors: number; firstError?: string; lastSeconds: number | undefined; msPerCommand: number[] };
  /** Both sessions stayed up, never reset (BIRD's state and since unchanged). */
  sessionsKept: boolean;
  captureDropped?: number;
  note?: string;
}

export interface MassOptions {
  counts: number[];
  timeoutSeconds: number;
  speakers: MassSpeaker[];
  /** Where progress goes (stderr). */
  progress?: (s: string) => void;
}

/** Time from start to both BIRDs Established. */
async function bothUp(birds: Bird[], limitMs: number, alive: () => boolean): Promise<boolean> {
  return poll(async () => {
    if (!alive()) throw new Error('the speaker exited');
    return (await Promise.all(birds.map((b) => b.established()))).every(Boolean);
  }, limitMs, 50);
}

async function runOne(speaker: MassSpeaker, n: number, o: MassOptions): Promise<MassRow> {
  const dir = tempDir('mass');
  const capture = isRoot() && have('tcpdump');
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const ports = [await freePort('127.0.0.2'), await freePort('127.0.0.3')];
    const birds = [
      await Bird.start(dir, { name: 'rs1', address: '127.0.0.2', port: ports[0]! }),
      await Bird.start(dir, { name: 'rs2', address: '127.0.0.3', port: ports[1]! }),
    ];
    for (const b of birds) stops.push(() => b.stop());
    const cap = capture ? await Capture.start(dir, 'mass', ports) : undefined;
    if (cap) stops.push(() => cap.stop());

    const prefixes = hostPrefixes(n);
    let send: () => void;
    let conn: ControlConn | undefined;
    let alive: () => boolean;
    const replies = { ok: 0, errors: 0, firstError: undefined as string | undefined, lastAt: undefined as number | undefined, at: [] as number[] };
    if (speaker === 'tsbgp') {
      const socket = dir.file('tsbgpd.sock');
      const yaml = tsbgpdYaml({ socket, neighbors: birds.map((b) => ({ address: b.address, port: b.port, holdTime: 90 })), routes: [], stateFile: dir.file('state.json') });
      const d = await startTsbgpd(dir, yaml);
      stops.unshift(() => d.stop());
      alive = () => !d.exited;
      conn = await connectWhenUp(socket, 10_000, d);
      stops.unshift(async () => conn?.close());
      conn.onReply = (r) => {
        if (r.ok) replies.ok++;
        else {
          replies.errors++;
          replies.firstError ??= `${r.error?.code}: ${r.error?.message}`;
        }
        replies.lastAt = r.at;
        replies.at.push(r.at);
      };
      const text = prefixes.map((prefix, i) => ControlConn.line(i + 1, 'announce', { prefix, nextHop: NEXT_HOP })).join('');
      send = () => void conn!.write(text);
    } else {
      const exa = await Exabgp.start(dir, { neighbors: birds.map((b) => ({ address: b.address, port: b.port })) });
      stops.unshift(() => exa.stop());
      alive = () => !exa.proc.exited;
      const text = prefixes.map((p) => `announce route ${p} next-hop ${NEXT_HOP}\n`).join('');
      send = () => void exa.write(text);
    }
    if (!(await bothUp(birds, 30_000, alive))) throw new Error(`${speaker}: the BIRD sessions did not come up in 30 s`);
    await sleep(1000); // End-of-RIB and the first KEEPALIVEs are out of the way
    const before = await Promise.all(birds.map((b) => b.session()));

    const t0 = nowMs();
    const t0Epoch = Date.now();
    send();
    let held = [0, 0];
    let doneAt: number | undefined;
    await poll(async () => {
      held = await Promise.all(birds.map((b) => b.routeCount()));
      if (held.every((h) => h >= n)) doneAt = nowMs();
      return doneAt !== undefined || !alive();
    }, o.timeoutSeconds * 1000, 50);
    // The last replies come after the last UPDATE (the state file is saved in between): wait for them, briefly.
    if (speaker === 'tsbgp' && doneAt !== undefined) await poll(() => replies.ok + replies.errors >= n || !alive(), 5000, 10);
    const after = await Promise.all(birds.map((b) => b.session()));
    const endEpoch = Date.now();
    let sessionsKept = after.every((s, i) => s.info.startsWith('Established') && s.since === before[i]!.since);

    const row: MassRow = {
      speaker,
      n,
      seconds: doneAt === undefined ? undefined : (doneAt - t0) / 1000,
      timeoutSeconds: o.timeoutSeconds,
      held,
      wireSeconds: [undefined, undefined],
      updates: undefined,
      withdrawn: undefined,
      sessionsKept,
    };
    if (!alive()) row.note = `${speaker} exited during the run`;
    else if (!sessionsKept) row.note = `BIRD sessions before/after: ${birds.map((b, i) => `${b.name} ${before[i]!.info} since ${before[i]!.since} -> ${after[i]!.info} since ${after[i]!.since}`).join('; ')}`;
    if (speaker === 'tsbgp') {
      // The pace, per tenth of N: whether a command's cost grows with the table.
      const block = Math.max(1, Math.floor(n / 10));
      const msPerCommand: number[] = [];
      for (let i = block; i <= replies.at.length; i += block) msPerCommand.push((replies.at[i - 1]! - (i === block ? t0 : replies.at[i - block - 1]!)) / block);
      row.replies = { ok: replies.ok, errors: replies.errors, ...(replies.firstError ? { firstError: replies.firstError } : {}), lastSeconds: replies.lastAt === undefined ? undefined : (replies.lastAt - t0) / 1000, msPerCommand };
    }
    // Stop the speaker before reading the capture, so that it is complete.
    while (stops.length) await stops.shift()!();
    if (cap) {
      row.captureDropped = await cap.stop().catch(() => NaN);
      const wire = await cap.updates(ports, t0Epoch - 1, endEpoch);
      const resets = ports.map((p) => wire.get(p)!).filter((w) => w.opens || w.notifications);
      if (resets.length) {
        sessionsKept = false;
        row.sessionsKept = false;
        row.note = `${row.note ? `${row.note}; ` : ''}on the wire during the run: ${ports.map((p, i) => `rs${i + 1} ${wire.get(p)!.opens} OPEN, ${wire.get(p)!.notifications} NOTIFICATION`).join('; ')}`;
      }
      row.updates = ports.map((p) => wire.get(p)!.updates);
      row.withdrawn = ports.map((p) => wire.get(p)!.withdrawn);
      row.wireSeconds = ports.map((p) => {
        const last = wire.get(p)!.lastAt;
        return last === undefined ? undefined : (last - t0Epoch) / 1000;
      });
    }
    return row;
  } finally {
    for (const s of stops) await s().catch(() => undefined);
    dir.remove();
  }
}

export async function runMassBench(o: MassOptions): Promise<MassRow[]> {
  const rows: MassRow[] = [];
  for (const n of o.counts) {
    for (const speaker of o.speakers) {
      o.progress?.(`  mass: ${speaker}, N=${n} ...`);
      try {
        rows.push(await runOne(speaker, n, o));
      } catch (e) {
        rows.push({ speaker, n, seconds: undefined, timeoutSeconds: o.timeoutSeconds, held: [NaN, NaN], wireSeconds: [], updates: undefined, withdrawn: undefined, sessionsKept: false, note: `failed: ${(e as Error).message}` });
      }
    }
  }
  return rows;
}

const int = (x: number): string => (Number.isFinite(x) ? x.toLocaleString('en-US') : '?');

export function printMass(rows: MassRow[], print: (s: string) => void = console.log): void {
  print('mass announce: N distinct /32s (100.64.0.0 + i), all with next hop 10.10.0.4, written at once; two BIRD 2 peers (passive, 127.0.0.2/.3)');
  print('  tsbgp: JSON lines on the control socket in one write (state file on); ExaBGP: `announce route P next-hop NH` lines into its API pipe in one write');
  print('  time: first command written -> both BIRDs hold all N (birdc `show route count`, polled every 50 ms); wire: -> last UPDATE with routes (tcpdump on lo)');
  const head = `  ${'speaker'.padEnd(11)} ${'N'.padStart(7)} ${'both hold N'.padStart(12)} ${'wire rs1/rs2'.padStart(16)} ${'UPDATEs rs1/rs2'.padStart(16)} ${'withdrawn'.padStart(9)}  ${'replies'.padEnd(22)} session kept`;
  print(head);
  for (const r of rows) {
    const t = r.seconds === undefined ? `> ${r.timeoutSeconds} s`.padStart(12) : secs(r.seconds).padStart(12);
    const wire = r.wireSeconds.length ? r.wireSeconds.map((w) => (w === undefined ? '-' : w.toFixed(2))).join('/') + ' s' : '-';
    const ups = r.updates ? r.updates.map(int).join('/') : 'n/a (no capture)';
    const wd = r.withdrawn ? r.withdrawn.map(int).join('/') : '-';
    const rep = r.replies ? `${int(r.replies.ok)} ok${r.replies.errors ? `, ${int(r.replies.errors)} err` : ''}${r.replies.lastSeconds !== undefined ? ` (last ${r.replies.lastSeconds.toFixed(2)} s)` : ''}` : '-';
    print(`  ${r.speaker.padEnd(11)} ${int(r.n).padStart(7)} ${t} ${wire.padStart(16)} ${ups.padStart(16)} ${wd.padStart(9)}  ${rep.padEnd(22)} ${r.sessionsKept ? 'yes' : 'NO'}`);
    const held = r.seconds === undefined && r.held.length ? `    held at the end: ${r.held.map(int).join(' / ')} of ${int(r.n)}` : '';
    if (held) print(held);
    if (r.note) print(`    note: ${r.note}`);
    if (r.replies?.firstError) print(`    first error reply: ${r.replies.firstError}`);
    if (r.replies?.msPerCommand.length) print(`    ms per command, by tenth of N answered: ${r.replies.msPerCommand.map((x) => x.toFixed(2)).join(' ')}`);
    if (r.captureDropped) print(`    tcpdump dropped ${r.captureDropped} packets: UPDATE counts may be short`);
  }
  for (const n of [...new Set(rows.map((r) => r.n))]) {
    const ts = rows.find((r) => r.n === n && r.speaker === 'tsbgp');
    const ex = rows.find((r) => r.n === n && r.speaker === 'ExaBGP 4.2');
    if (!ts || !ex) continue;
    const target = n >= 10_000 ? '  [target < 0.5 at N=10,000]' : '';
    if (ex.seconds === undefined) print(`  ratio tsbgp/ExaBGP at N=${int(n)}: n/a (ExaBGP did not finish)${target}`);
    else if (ts.seconds === undefined) print(`  ratio tsbgp/ExaBGP at N=${int(n)}: > ${(ts.timeoutSeconds / ex.seconds).toFixed(1)} (tsbgp did not finish in ${ts.timeoutSeconds} s)${target}`);
    else print(`  ratio tsbgp/ExaBGP at N=${int(n)}: ${(ts.seconds / ex.seconds).toFixed(2)}${target}`);
  }
  if (rows.some((r) => !r.updates)) print('  UPDATE counts need tcpdump on lo: run as root (the BGP ports are high ports; nothing else needs root)');
}
