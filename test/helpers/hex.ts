// Hex helpers for tests: readable message literals and diffs (mqtt-packet style).
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes from hex text; spaces, newlines and "|" separators are ignored. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[\s|]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${text}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

const MARKER = 'ff'.repeat(16);

/** A whole message: marker, computed length, type, then the body given in hex. */
export function message(type: number, bodyHex: string): Uint8Array {
  const body = fromHex(bodyHex);
  const len = 19 + body.length;
  return fromHex(MARKER + len.toString(16).padStart(4, '0') + type.toString(16).padStart(2, '0') + hex(body));
}
