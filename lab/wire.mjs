// What the lab's analyses share: JSON-lines files, BGP messages of a capture (decoded by bgpctl, timed by tshark), the sdn's FIB log.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Every JSON line of a file that parses ([] when the file is missing). */
export const readJsonl = (f) => (f && fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } }) : []);
/** tshark's frame.time_epoch ("1796164048.123456789") -> µs since the epoch. */
export const epochUs = (s) => { const [a, b = ''] = s.split('.'); return Number(a) * 1e6 + Number((b + '000000').slice(0, 6)); };

const decoded = new Map();
/**
 * Every BGP message of a capture: {t (µs), type, src, dst (addresses), connection, nlri, withdrawn (incl.
 * MP_UNREACH), nh, raw (bgpctl's JSON)}; [] when the capture is missing. Cached per file.
 */
export function messages(pcap, bgpctl) {
  if (!pcap || !fs.existsSync(pcap)) return [];
  if (decoded.has(pcap)) return decoded.get(pcap);
  const times = new Map();
  for (const l of execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch'], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')) {
    const [n, t] = l.trim().split('\t'); if (n && t) times.set(Number(n), epochUs(t));
  }
  const out = [];
  for (const l of execFileSync(process.execPath, [bgpctl, 'decode', pcap, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n')) {
    if (!l.trim()) continue;
    let m; try { m = JSON.parse(l); } catch { continue; }
    const withdrawn = [...(m.withdrawn ?? []), ...(m.attributes?.MP_UNREACH_NLRI?.withdrawn ?? [])];
    out.push({ t: times.get(m.frame), type: m.type, src: String(m.src).split(':')[0], dst: String(m.dst).split(':')[0], connection: m.connection,
      nlri: m.nlri ?? [], withdrawn, nh: m.attributes?.NEXT_HOP, raw: m });
  }
  decoded.set(pcap, out);
  return out;
}

/** `ip -ts monitor route` lines ("[2026-11-25T07:39:17.036992] 100.64.0.1 via 10.10.0.5 dev ...") -> [{t (µs), text}]. */
export function fibEvents(file) {
  const out = [];
  if (!file || !fs.existsSync(file)) return out;
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\]\s+(.*)$/.exec(l);
    if (m) out.push({ t: Date.parse(m[1] + 'Z') * 1000 + Number(m[2]), text: m[3] });
  }
  return out;
}
