// Graceful Restart capability (code 64, RFC 4724 §3): flags + restart time, then per-family flags.
import { CapabilityCode } from '../../iana.js';
import { type CapabilityCodec, type GracefulRestartCap, expectCapLength, readEntries } from './types.js';

export const gracefulRestart: CapabilityCodec<GracefulRestartCap> = {
  code: CapabilityCode.GRACEFUL_RESTART,
  type: 'GRACEFUL_RESTART',
  decode(r, len) {
    expectCapLength(r, len, len >= 2, 'GRACEFUL_RESTART');
    const head = r.u16();
    const families = readEntries(r, len - 2, 4, 'GRACEFUL_RESTART', () => ({ afi: r.u16(), safi: r.u8(), flags: r.u8() }));
    return { type: 'GRACEFUL_RESTART', flags: head >>> 12, restartTime: head & 0x0fff, families };
  },
  length: (c) => 2 + c.families.length * 4,
  encode(w, c) {
    w.u16(((c.flags & 0xf) << 12) | (c.restartTime & 0x0fff));
    for (const f of c.families) {
      w.u16(f.afi);
      w.u8(f.safi);
      w.u8(f.flags);
    }
  },
};
