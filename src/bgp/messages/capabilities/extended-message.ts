// Extended Message capability (code 6, RFC 8654): no value; messages up to 65535 octets.
import { CapabilityCode } from '../../iana.js';
import { type ExtendedMessageCap, emptyCapability } from './types.js';

export const extendedMessage = emptyCapability<ExtendedMessageCap>(CapabilityCode.EXTENDED_MESSAGE, 'EXTENDED_MESSAGE');
