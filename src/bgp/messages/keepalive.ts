// KEEPALIVE (RFC 4271 §4.4): the header alone, exactly 19 octets (checked with the header).
export interface KeepaliveMessage {
  type: 'KEEPALIVE';
}

export const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: 'KEEPALIVE' });
