// Route Refresh capability (code 2, RFC 2918): no value.
import { CapabilityCode } from '../../iana.js';
import { type RouteRefreshCap, emptyCapability } from './types.js';

export const routeRefresh = emptyCapability<RouteRefreshCap>(CapabilityCode.ROUTE_REFRESH, 'ROUTE_REFRESH');
