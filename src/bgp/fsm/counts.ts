// Messages sent and received by one peer, counted by type (for show neighbor).
import type { BgpMessage } from '../messages/index.js';
import type { MessageCounts } from './types.js';

type Counted = 'open' | 'update' | 'notification' | 'keepalive' | 'routeRefresh';
const COUNT_KEY: Record<BgpMessage['type'], Counted> = {
  OPEN: 'open',
  UPDATE: 'update',
  NOTIFICATION: 'notification',
  KEEPALIVE: 'keepalive',
  ROUTE_REFRESH: 'routeRefresh',
};

export const zeroCounts = (): MessageCounts => ({ open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0, total: 0 });

export function countMessage(to: MessageCounts, type: BgpMessage['type']): void {
  to[COUNT_KEY[type]]++;
  to.total++;
}
