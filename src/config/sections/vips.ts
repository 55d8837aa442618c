// The `vips` section: health-checked VIPs, their candidates and checks, the decision's timings and policies.
import { isMap, isScalar, isSeq } from 'yaml';
import { familyOfAfi, parseAddress, parseNextHop, parseRoutePrefix } from '../../routes/values.js';
import { prefixHolds, prefixesOverlap } from '../../routes/addresses.js';
import type { CandidateConfig, CheckConfig, FailbackPolicy, FamilyName, VipConfig } from '../types.js';
import { type Checker, type Entry, boolean, check, describe, given, integer, readMap, readSeq, required, scalarValue, string } from '../yaml-checker.js';

const VIP_KEYS = ['name', 'prefix', 'candidates', 'interval', 'timeout', 'rise', 'fall', 'watch', 'failback', 'change-window', 'all-down', 'confirm', 'start-wait'] as const;
const CANDIDATE_KEYS = ['name', 'next-hop', 'check'] as const;
const CHECK_KEYS = ['http', 'tcp', 'exec', 'expect-status', 'expect-body', 'insecure'] as const;
const CONFIRM_KEYS = ['http', 'expect-body-from', 'insecure'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** "100ms", "2s", "1m" -> milliseconds; a bare number is refused (is 30 seconds or ms?). */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
  return Number.isFinite(n) ? Math.round(n) : undefined;
}

function duration(c: Checker, e: Entry, min: number, max: number, example: string): number | undefined {
  const v = scalarValue(e);
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) {
    c.bad(e, `expected a duration with its unit, e.g. ${example} (ms, s or m), got ${describe(e.value)}`);
    return undefined;
  }
  if (ms < min || ms > max) {
    c.bad(e, `${v} is out of range; expected ${min} ms to ${max >= 60_000 ? `${max / 60_000} min` : `${max} ms`}`);
    return undefined;
  }
  return ms;
}

function name(c: Checker, e: Entry, example: string): string | undefined {
  const v = string(c, e, example);
  if (v !== undefined && !NAME.test(v)) c.bad(e, `"${v}" is not a name: letters, digits, "-", "_" and "." (at most 63), e.g. ${example}`);
  return v !== undefined && NAME.test(v) ? v : undefined;
}

/** "host:port" or "[v6]:port". */
function hostPort(text: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  const a = m ? parseAddress(m[1]!) : null;
  return a && port >= 1 && port <= 65535 ? { host: a.text, port } : undefined;
}

function readCheck(c: Checker, e: Entry): CheckConfig | undefined {
  const m = readMap(c, e.value, e.path, CHECK_KEYS, 'a check: {http: URL} | {tcp: "address:port"} | {exec: [command, args...]}');
  if (!m) return undefined;
  const kinds = (['http', 'tcp', 'exec'] as const).filter((k) => m.has(k));
  if (kinds.length !== 1) {
    c.add(e.path, e.value, kinds.length ? `one check per candidate: ${kinds.join(' and ')} given` : 'a check needs one of http, tcp or exec');
    return undefined;
  }
  const onlyHttp = (['expect-status', 'expect-body', 'insecure'] as const).filter((k) => m.has(k));
  if (kinds[0] !== 'http' && onlyHttp.length) {
    c.bad(m.get(onlyHttp[0]!)!, `${onlyHttp[0]} goes with an http check, not ${kinds[0]}`);
    return undefined;
  }
  const k = m.get(kinds[0]!)!;
  switch (kinds[0]!) {
    case 'http': {
      const url = string(c, k, '"http://10.10.0.4/"');
      let parsed: URL | undefined;
      try {
        parsed = url === undefined ? undefined : new URL(url);
      } catch {
        parsed = undefined;
      }
      if (url !== undefined && (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))) {
        c.bad(k, `"${url}" is not an http:// or https:// URL`);
        return undefined;
      }
      const st = given(m, 'expect-status');
      const expectStatus = st ? integer(c, st, 100, 599) : 200;
      const body = given(m, 'expect-body');
      const expectBody = body ? string(c, body, '"ok"') : undefined;
      const ins = given(m, 'insecure');
      const insecure = ins ? boolean(c, ins) : false;
      if (!parsed || expectStatus === undefined || insecure === undefined || (body && expectBody === undefined)) return undefined;
      return { kind: 'http', url: parsed.href, expectStatus, ...(expectBody === undefined ? {} : { expectBody }), insecure };
    }
    case 'tcp': {
      const text = string(c, k, '"10.10.0.4:80"');
      const hp = text === undefined ? undefined : hostPort(text);
      if (text !== undefined && !hp) c.bad(k, `"${text}" is not address:port, e.g. "10.10.0.4:80" or "[2001:db8::4]:80"`);
      return hp ? { kind: 'tcp', ...hp } : undefined;
    }
    case 'exec': {
      const v = k.value;
      if (isScalar(v) && typeof v.value === 'string' && v.value !== '') return { kind: 'exec', command: v.value, args: [] };
      if (isSeq(v) && v.items.length > 0 && v.items.every((x) => isScalar(x) && typeof x.value === 'string')) {
        const [command, ...args] = v.items.map((x) => String((x as { value: unknown }).value));
        return { kind: 'exec', command: command!, args };
      }
      c.bad(k, `expected a command, or a list [command, arg, ...] (run without a shell), got ${describe(v)}`);
      return undefined;
    }
  }
}

/** Where a watch connection goes: the check's host and port (an exec check has none). */
export function watchTarget(check: CheckConfig): { host: string; port: number } | undefined {
  switch (check.kind) {
    case 'tcp':
      return { host: check.host, port: check.port };
    case 'http': {
      const u = new URL(check.url);
      return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
    }
    case 'exec':
      return undefined;
  }
}

function readFailback(c: Checker, e: Entry): FailbackPolicy | undefined {
  if (scalarValue(e) === 'sticky') return { kind: 'sticky' };
  if (isMap(e.value)) {
    const m = readMap(c, e.value, e.path, ['preferred-after'] as const, 'sticky, or {preferred-after: 60s}');
    const pa = m && required(c, m, 'preferred-after', '60s');
    const ms = pa ? duration(c, pa, 0, 24 * 3_600_000, '60s') : undefined;
    return ms === undefined ? undefined : { kind: 'preferred-after', ms };
  }
  c.bad(e, `expected sticky, or {preferred-after: 60s}, got ${describe(e.value)}`);
  return undefined;
}

/** What the loader needs to know of the rest of the file to check the VIPs against it. */
export interface VipContext {
  families: Set<FamilyName> | null;
  routePrefixes: Set<string>;
}

export function readVips(c: Checker, e: Entry, ctx: VipContext): VipConfig[] {
  const items = readSeq(c, e, 'a list of VIPs (each starting with "- name: ...")');
  if (!items) return [];
  const out: VipConfig[] = [];
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const item of items) {
    const m = readMap(c, item.node, item.path, VIP_KEYS, 'a VIP mapping with name, prefix and candidates');
    if (!m) continue;
    const before = c.problems.length;
    const ne = required(c, m, 'name', 'web');
    const vname = ne ? name(c, ne, 'web') : undefined;
    if (ne && vname !== undefined) {
      if (names.has(vname)) c.bad(ne, `VIP name ${vname} is used twice`);
      names.add(vname);
    }
    const pe = required(c, m, 'prefix', '100.64.0.1/32');
    const ptext = pe ? string(c, pe, '100.64.0.1/32') : undefined;
    const p = pe && ptext !== undefined ? check(c, pe, () => parseRoutePrefix(ptext)) : undefined;
    if (pe && p) {
      const family = familyOfAfi(p.afi);
      if (ctx.families && !ctx.families.has(family)) c.bad(pe, `${p.prefix} is ${family} but no neighbor has ${family} in its families, so it would be sent nowhere`);
      if (ctx.routePrefixes.has(p.prefix)) c.bad(pe, `${p.prefix} is also in routes: a prefix is either a plain route or a health-checked VIP`);
      if (prefixes.has(p.prefix)) c.bad(pe, `${p.prefix} is the prefix of another VIP`);
      else {
        // Two VIPs over the same addresses would steer them two ways at once (the longer prefix wins at the peers).
        const other = [...prefixes].find((q) => prefixesOverlap(q, p.prefix));
        if (other) c.bad(pe, `${p.prefix} overlaps ${other}, the prefix of another VIP; expected VIP prefixes that share no address`);
      }
      prefixes.add(p.prefix);
    }
    const ce = required(c, m, 'candidates', '[{name: ws1, next-hop: 10.10.0.4, check: {http: "http://10.10.0.4/"}}]');
    const candidates: CandidateConfig[] = [];
    const cands = ce ? readSeq(c, ce, 'a list of candidates, most preferred first') : null;
    if (ce && cands && cands.length === 0) c.bad(ce, 'at least one candidate is required');
    const cnames = new Set<string>();
    for (const ci of cands ?? []) {
      const cm = readMap(c, ci.node, ci.path, CANDIDATE_KEYS, 'a candidate mapping with name, next-hop and check');
      if (!cm) continue;
      const cne = required(c, cm, 'name', 'ws1');
      const cn = cne ? name(c, cne, 'ws1') : undefined;
      if (cne && cn !== undefined) {
        if (cnames.has(cn)) c.bad(cne, `candidate name ${cn} is used twice in this VIP`);
        cnames.add(cn);
      }
      const nhe = required(c, cm, 'next-hop', '10.10.0.4');
      const nht = nhe ? string(c, nhe, '10.10.0.4') : undefined;
      let nextHop = nhe && nht !== undefined ? check(c, nhe, () => parseNextHop(nht, p?.afi, p?.prefix)) : undefined;
      // The VIP's prefix is what moves between candidates: a candidate inside it is reached through the VIP itself.
      if (nhe && nextHop !== undefined && p && prefixHolds(p.prefix, parseAddress(nextHop)!)) {
        c.bad(nhe, `next hop ${nextHop} is inside the VIP's prefix ${p.prefix}, so it would be reached through the VIP itself; expected an address outside it`);
        nextHop = undefined;
      }
      const che = required(c, cm, 'check', '{http: "http://10.10.0.4/"}');
      const chk = che ? readCheck(c, che) : undefined;
      if (cn !== undefined && nextHop !== undefined && chk) candidates.push({ name: cn, nextHop, check: chk });
    }
    const iv = given(m, 'interval');
    const intervalMs = iv ? duration(c, iv, 10, 3_600_000, '200ms') : 200;
    const to = given(m, 'timeout');
    const timeoutMs = to ? duration(c, to, 1, 600_000, '80ms') : intervalMs;
    const re = given(m, 'rise');
    const rise = re ? integer(c, re, 1, 100) : 3;
    const fe = given(m, 'fall');
    const fall = fe ? integer(c, fe, 1, 100) : 2;
    const we = given(m, 'watch');
    const watch = we ? boolean(c, we) : false;
    if (we && watch) {
      const noTarget = candidates.find((x) => !watchTarget(x.check));
      if (noTarget) c.bad(we, `candidate ${noTarget.name} has an exec check: a watch needs an http or tcp check to know where to connect`);
    }
    const fb = given(m, 'failback');
    const failback = fb ? readFailback(c, fb) : { kind: 'sticky' as const };
    const cw = given(m, 'change-window');
    const changeWindowMs = cw ? duration(c, cw, 0, 3_600_000, '30s') : 30_000;
    const ad = given(m, 'all-down');
    let allDown: VipConfig['allDown'] | undefined = 'keep';
    if (ad) {
      const v = scalarValue(ad);
      allDown = v === 'keep' || v === 'withdraw' ? v : undefined;
      if (!allDown) c.bad(ad, `expected keep or withdraw, got ${describe(ad.value)}`);
    }
    const sw = given(m, 'start-wait');
    const startWaitMs = sw ? duration(c, sw, 0, 600_000, '2s') : 2000;
    let confirm: VipConfig['confirm'];
    const cf = given(m, 'confirm');
    if (cf) {
      const cfm = readMap(c, cf.value, cf.path, CONFIRM_KEYS, 'a confirmation: {http: "http://100.64.0.1/", expect-body-from: candidate-name}');
      const he = cfm && required(c, cfm, 'http', '"http://100.64.0.1/"');
      const url = he ? string(c, he, '"http://100.64.0.1/"') : undefined;
      const ebf = cfm ? given(cfm, 'expect-body-from') : undefined;
      if (ebf && scalarValue(ebf) !== 'candidate-name') c.bad(ebf, `expected candidate-name (the body names the candidate that answered), got ${describe(ebf.value)}`);
      const ins = cfm ? given(cfm, 'insecure') : undefined;
      const insecure = ins ? boolean(c, ins) : false;
      let ok = url !== undefined;
      try {
        if (url !== undefined && !/^https?:$/.test(new URL(url).protocol)) ok = false;
      } catch {
        ok = false;
      }
      if (he && url !== undefined && !ok) c.bad(he, `"${url}" is not an http:// or https:// URL`);
      if (ok && insecure !== undefined) confirm = { url: new URL(url!).href, expectBodyFrom: 'candidate-name', insecure };
    }
    if (c.problems.length === before && vname && p && intervalMs !== undefined && timeoutMs !== undefined && rise !== undefined && fall !== undefined && watch !== undefined && failback && changeWindowMs !== undefined && allDown && startWaitMs !== undefined) {
      out.push({ name: vname, prefix: p.prefix, candidates, intervalMs, timeoutMs, rise, fall, watch, failback, changeWindowMs, allDown, ...(confirm ? { confirm } : {}), startWaitMs });
    }
  }
  return out;
}
