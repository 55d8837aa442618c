// The operator-facing error catalog: stable TSBGP_ERR_* codes for the control API, the CLI and scripts.
/** Stable error codes for the control API and the CLI (matched on by scripts). */
export const TsbgpErrorCode = {
  BAD_REQUEST: 'TSBGP_ERR_BAD_REQUEST',
  UNKNOWN_COMMAND: 'TSBGP_ERR_UNKNOWN_COMMAND',
  BAD_PREFIX: 'TSBGP_ERR_BAD_PREFIX',
  BAD_NEXT_HOP: 'TSBGP_ERR_BAD_NEXT_HOP',
  BAD_ARGUMENT: 'TSBGP_ERR_BAD_ARGUMENT',
  UNKNOWN_NEIGHBOR: 'TSBGP_ERR_UNKNOWN_NEIGHBOR',
  /** No VIP (or no candidate of that VIP) of that name. */
  UNKNOWN_VIP: 'TSBGP_ERR_UNKNOWN_VIP',
  NOT_FOUND: 'TSBGP_ERR_NOT_FOUND',
  /** The prefix's family is carried by no configured neighbor. */
  NO_FAMILY: 'TSBGP_ERR_NO_FAMILY',
  /** The prefix is decided by an owner above the one asking (health checks, the watcher pair). */
  OWNED: 'TSBGP_ERR_OWNED',
  UNREACHABLE: 'TSBGP_ERR_UNREACHABLE',
  /** The change would make a neighbor hold more routes than its max-routes-out leaves room for: nothing was changed. */
  MAX_ROUTES_OUT: 'TSBGP_ERR_MAX_ROUTES_OUT',
  /** tsbgpd is already stopping (a signal or an earlier shutdown), or this speaker cannot be stopped over its socket. */
  STOPPING: 'TSBGP_ERR_STOPPING',
  CONFIG: 'TSBGP_ERR_CONFIG',
  /** An ExaBGP config file `tsbgpd import-exabgp` cannot read (FILE:LINE says where). */
  EXABGP_CONFIG: 'TSBGP_ERR_EXABGP_CONFIG',
  FILE: 'TSBGP_ERR_FILE',
  /** The `http:` listener (metrics, status page) cannot bind its address and port. */
  HTTP_LISTEN: 'TSBGP_ERR_HTTP_LISTEN',
  INTERNAL: 'TSBGP_ERR_INTERNAL',
} as const;
export type TsbgpErrorCodeName = (typeof TsbgpErrorCode)[keyof typeof TsbgpErrorCode];

/** An error for operators and scripts: a stable code plus a message that says what to do. */
export class TsbgpError extends Error {
  readonly code: TsbgpErrorCodeName;
  constructor(code: TsbgpErrorCodeName, message: string) {
    super(message);
    this.name = 'TsbgpError';
    this.code = code;
  }
}
