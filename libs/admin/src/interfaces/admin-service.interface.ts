/** A direct address of an instance (Nest TCP, HTTP). */
export interface AdminEndpoint {
  transport: string;
  host: string;
  port: number;
}

/** One instance of a service, from the registry. */
export interface AdminInstance {
  id: string;
  version: string;
  host: string;
  endpoints: AdminEndpoint[];
  /** ISO start time. */
  startedAt: string;
  /** ISO time of the last heartbeat. */
  heartbeatAt: string;
  /** False when its heartbeat is older than its TTL (it is about to age out). */
  alive: boolean;
}

/** A service in the registry with its instances. */
export interface AdminServiceSummary {
  service: string;
  /** Distinct versions its instances run. */
  versions: string[];
  instances: AdminInstance[];
}
