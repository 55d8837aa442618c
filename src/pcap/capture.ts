// pcap and pcapng files -> link-layer packets with frame numbers and timestamps.

export interface CapturedPacket {
  /** 1-based, as Wireshark numbers frames. */
  frame: number;
  /** Seconds since the epoch. */
  time: number;
  linkType: number;
  data: Uint8Array;
}

export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

const PCAPNG_SHB = 0x0a0d0d0a;

export function isCapture(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getUint32(0, true);
  return le === 0xa1b2c3d4 || le === 0xa1b23c4d || le === 0xd4c3b2a1 || le === 0x4d3cb2a1 || le === PCAPNG_SHB;
}

/** Read every packet of a pcap or pcapng file. Throws CaptureError naming what is wrong. */
export function readCapture(bytes: Uint8Array): CapturedPacket[] {
  if (bytes.length < 4) throw new CaptureError(`file is ${bytes.length} bytes: not a pcap or pcapng capture`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) === PCAPNG_SHB) return readPcapng(bytes, v);
  return readPcap(bytes, v);
}

function readPcap(bytes: Uint8Array, v: DataView): CapturedPacket[] {
  const magicLe = v.getUint32(0, true);
  let le: boolean;
  let nano: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    le = true;
    nano = magicLe === 0xa1b23c4d;
  } else if (magicLe === 0xd4c3b2a1 || magicLe === 0x4d3cb2a1) {
    le = false;
    nano = magicLe === 0x4d3cb2a1;
  } else {
    throw new CaptureError(`unknown magic 0x${magicLe.toString(16)}: not a pcap or pcapng capture`);
  }
  if (bytes.length < 24) throw new CaptureError('pcap file header is truncated');
  const linkType = v.getUint32(20, le) & 0xffff;
  const out: CapturedPacket[] = [];
  let pos = 24;
  while (pos < bytes.length) {
    if (pos + 16 > bytes.length) throw new CaptureError(`packet record header at offset ${pos} is truncated`);
    const sec = v.getUint32(pos, le);
    const frac = v.getUint32(pos + 4, le);
    const caplen = v.getUint32(pos + 8, le);
    pos += 16;
    if (pos + caplen > bytes.length) throw new CaptureError(`packet ${out.length + 1} at offset ${pos} is truncated`);
    out.push({
      frame: out.length + 1,
      time: sec + frac / (nano ? 1e9 : 1e6),
      linkType,
      data: bytes.subarray(pos, pos + caplen),
    });
    pos += caplen;
  }
  return out;
}

interface Interface {
  linkType: number;
  /** Timestamp units per second. */
  resolution: number;
}

function readPcapng(bytes: Uint8Array, v: DataView): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  let interfaces: Interface[] = [];
  let le = true;
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) throw new CaptureError(`pcapng block at offset ${pos} is truncated`);
    let type = v.getUint32(pos, le);
    if (type === PCAPNG_SHB || v.getUint32(pos, true) === PCAPNG_SHB) {
      // Section header: its byte-order magic sets the endianness of the whole section.
      const bom = v.getUint32(pos + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw new CaptureError(`pcapng section at offset ${pos} has a bad byte-order magic`);
      type = PCAPNG_SHB;
      interfaces = [];
    }
    const len = v.getUint32(pos + 4, le);
    if (len < 12 || len % 4 !== 0 || pos + len > bytes.length) {
      throw new CaptureError(`pcapng block at offset ${pos} has a bad length ${len}`);
    }
    const body = pos + 8;
    const bodyEnd = pos + len - 4;
    if (type === 1) {
      interfaces.push({ linkType: v.getUint16(body, le), resolution: interfaceResolution(v, body + 8, bodyEnd, le) });
    } else if (type === 6 || type === 3) {
      const enhanced = type === 6;
      const ifId = enhanced ? v.getUint32(body, le) : 0;
      const ifc = interfaces[ifId];
      if (!ifc) throw new CaptureError(`packet at offset ${pos} names interface ${ifId}, which was not described`);
      const caplen = enhanced ? v.getUint32(body + 12, le) : Math.min(v.getUint32(body, le), bodyEnd - body - 4);
      const dataAt = enhanced ? body + 20 : body + 4;
      if (dataAt + caplen > bodyEnd) throw new CaptureError(`packet at offset ${pos} is truncated`);
      const ts = enhanced ? v.getUint32(body + 4, le) * 2 ** 32 + v.getUint32(body + 8, le) : 0;
      out.push({ frame: out.length + 1, time: ts / ifc.resolution, linkType: ifc.linkType, data: bytes.subarray(dataAt, dataAt + caplen) });
    }
    pos += len;
  }
  return out;
}

/** if_tsresol (option 9): 10^-n or 2^-n seconds; 10^-6 when absent. */
function interfaceResolution(v: DataView, pos: number, end: number, le: boolean): number {
  while (pos + 4 <= end) {
    const code = v.getUint16(pos, le);
    const len = v.getUint16(pos + 2, le);
    if (code === 0) break;
    if (code === 9 && len >= 1) {
      const r = v.getUint8(pos + 4);
      return r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
    }
    pos += 4 + ((len + 3) & ~3);
  }
  return 1e6;
}
