// ADD-PATH capability (code 69, RFC 7911 §4): per family, 1 = receive, 2 = send, 3 = both.
import { CapabilityCode } from '../../iana.js';
import { type AddPathCap, type CapabilityCodec, readEntries } from './types.js';

export const addPath: CapabilityCodec<AddPathCap> = {
  code: CapabilityCode.ADD_PATH,
  type: 'ADD_PATH',
  decode(r, len) {
    const families = readEntries(r, len, 4, 'ADD_PATH', () => ({ afi: r.u16(), safi: r.u8(), sendReceive: r.u8() }));
    return { type: 'ADD_PATH', families };
  },
  length: (c) => c.families.length * 4,
  encode(w, c) {
    for (const f of c.families) {
      w.u16(f.afi);
      w.u8(f.safi);
      w.u8(f.sendReceive);
    }
  },
};
