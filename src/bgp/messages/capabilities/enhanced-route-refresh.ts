// Enhanced Route Refresh capability (code 70, RFC 7313): no value.
import { CapabilityCode } from '../../iana.js';
import { type EnhancedRouteRefreshCap, emptyCapability } from './types.js';

export const enhancedRouteRefresh = emptyCapability<EnhancedRouteRefreshCap>(
  CapabilityCode.ENHANCED_ROUTE_REFRESH,
  'ENHANCED_ROUTE_REFRESH',
);
