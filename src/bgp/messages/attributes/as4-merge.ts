// RFC 6793 §4.2.3: rebuild the real AS path from AS_PATH and AS4_PATH sent by an OLD (2-octet) speaker.
import { AS_TRANS, AsPathSegmentType } from '../../iana.js';
import type { AsPathSegment, PathAttribute } from './types.js';

/** Path length as the decision process counts it: a set counts 1, confederation segments 0 (RFC 5065 §5.3). */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.segmentType === AsPathSegmentType.AS_SEQUENCE) n += s.asns.length;
    else if (s.segmentType === AsPathSegmentType.AS_SET) n += 1;
  }
  return n;
}

/**
 * The AS path to use for a route, given its attributes. With no AS4_PATH, AS_PATH as is. If
 * AGGREGATOR names an AS other than AS_TRANS, AS4_PATH and AS4_AGGREGATOR are ignored (§4.2.3).
 * If AS4_PATH is longer than AS_PATH it is ignored; otherwise the leading AS_PATH entries that
 * AS4_PATH does not cover are kept and AS4_PATH is appended.
 */
export function mergeAs4Path(attributes: readonly PathAttribute[]): AsPathSegment[] {
  let asPath: AsPathSegment[] = [];
  let as4Path: AsPathSegment[] | undefined;
  let aggregatorAs: number | undefined;
  let hasAs4Aggregator = false;
  for (const a of attributes) {
    if (a.type === 'AS_PATH') asPath = a.segments;
    else if (a.type === 'AS4_PATH') as4Path = a.segments;
    else if (a.type === 'AGGREGATOR') aggregatorAs = a.asn;
    else if (a.type === 'AS4_AGGREGATOR') hasAs4Aggregator = true;
  }
  if (!as4Path) return asPath;
  if (aggregatorAs !== undefined && aggregatorAs !== AS_TRANS && hasAs4Aggregator) return asPath;
  const total = asPathLength(asPath);
  const total4 = asPathLength(as4Path);
  if (total < total4) return asPath;
  // Keep the first (total - total4) path-length units of AS_PATH, then append AS4_PATH. A
  // confederation segment goes along when it leads or follows a segment that was kept (the loop
  // stops at the first segment not kept, so every confederation segment reached qualifies).
  let keep = total - total4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (s.segmentType === AsPathSegmentType.AS_CONFED_SEQUENCE || s.segmentType === AsPathSegmentType.AS_CONFED_SET) {
      out.push(s);
      continue;
    }
    if (keep <= 0) break;
    if (s.segmentType === AsPathSegmentType.AS_SEQUENCE) {
      const take = Math.min(keep, s.asns.length);
      out.push({ segmentType: s.segmentType, asns: s.asns.slice(0, take) });
      keep -= take;
    } else {
      out.push(s);
      keep -= 1;
    }
  }
  return [...out, ...as4Path];
}
