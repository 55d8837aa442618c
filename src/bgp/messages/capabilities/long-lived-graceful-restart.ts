// Long-Lived Graceful Restart capability (code 71, RFC 9494): per family flags and a 24-bit stale time.
import { CapabilityCode } from '../../iana.js';
import { type CapabilityCodec, type LongLivedGracefulRestartCap, readEntries } from './types.js';

export const longLivedGracefulRestart: CapabilityCodec<LongLivedGracefulRestartCap> = {
  code: CapabilityCode.LONG_LIVED_GRACEFUL_RESTART,
  type: 'LONG_LIVED_GRACEFUL_RESTART',
  decode(r, len) {
    const families = readEntries(r, len, 7, 'LONG_LIVED_GRACEFUL_RESTART', () => ({
      afi: r.u16(),
      safi: r.u8(),
      flags: r.u8(),
      staleTime: r.u24(),
    }));
    return { type: 'LONG_LIVED_GRACEFUL_RESTART', families };
  },
  length: (c) => c.families.length * 7,
  encode(w, c) {
    for (const f of c.families) {
      w.u16(f.afi);
      w.u8(f.safi);
      w.u8(f.flags);
      w.u24(f.staleTime);
    }
  },
};
