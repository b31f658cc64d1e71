// Names of everything this run creates, unique per run (the test passes them in the environment):
// Kafka topic and service, and a prefix for the PostgreSQL tables.
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}: the packaging test passes it to the scratch app`);
  return value;
}

export const names = {
  /** Topic of OrderPlaced (created by the outbox relay). */
  topic: required('SCRATCH_TOPIC'),
  /** Kafka serviceName, RPC service and projection name. */
  service: required('SCRATCH_SERVICE'),
  orders: `${required('SCRATCH_TABLE_PREFIX')}_orders`,
  orderView: `${required('SCRATCH_TABLE_PREFIX')}_order_view`,
  outbox: `${required('SCRATCH_TABLE_PREFIX')}_outbox`,
  checkpoints: `${required('SCRATCH_TABLE_PREFIX')}_checkpoints`,
  inbox: `${required('SCRATCH_TABLE_PREFIX')}_inbox`,
};
