/** The relay server: the ward hub (started by main's services) and the city reference server (`motcua city serve`). */
export { RELAY_ENDPOINTS, startRelayServer } from './relay-server'
export type { RelayRole, RelayServer, RelayServerOptions } from './relay-server'
export type { UpstreamStatus } from './upstream-replicator'
