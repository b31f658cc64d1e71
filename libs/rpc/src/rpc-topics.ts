/** Topic that carries the requests of `service`. */
export function rpcRequestTopic(prefix: string, service: string): string {
  return `${prefix}.${service}`;
}

/** Per-instance reply topic of a caller. */
export function rpcReplyTopic(prefix: string, service: string, instanceId: string): string {
  return `${prefix}.replies.${service}.${instanceId}`;
}

/** Consumer group of the servers of `service`: its instances share the request partitions. */
export function rpcServerGroup(prefix: string, service: string): string {
  return `${prefix}.${service}`;
}
