// CLUSTER_LIST (type 10, RFC 4456); bad length -> treat-as-withdraw (RFC 7606 §7.10).
import { AttrFlag, AttrType } from '../../iana.js';
import { expectMultiple, readIpv4List, writeIpv4List } from './common.js';
import type { AttributeCodec, ClusterListAttr } from './types.js';

export const clusterList: AttributeCodec<ClusterListAttr> = {
  code: AttrType.CLUSTER_LIST,
  type: 'CLUSTER_LIST',
  flags: AttrFlag.OPTIONAL,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectMultiple(len, 4, 'CLUSTER_LIST');
    return { type: 'CLUSTER_LIST', flags, clusterIds: readIpv4List(r, len) };
  },
  length: (a) => a.clusterIds.length * 4,
  encode(w, a) {
    writeIpv4List(w, a.clusterIds);
  },
};
