// Names of everything this run creates, unique per run (the test passes them in the environment):
// Kafka topic and service, and a prefix for the PostgreSQL tables.
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}: the packaging test passes it to the scratch app`);
  return value;
}

const prefix = required('SCRATCH_TABLE_PREFIX');

export const names = {
  /** Prefix of every table of the run (those the libs add for themselves included). */
  tablePrefix: prefix,
  /** Topic of OrderPlaced (created by the outbox relay). */
  topic: required('SCRATCH_TOPIC'),
  /** Kafka serviceName, RPC service and projection name. */
  service: required('SCRATCH_SERVICE'),
  orders: `${prefix}_orders`,
  orderView: `${prefix}_order_view`,
  outbox: `${prefix}_outbox`,
  checkpoints: `${prefix}_checkpoints`,
  inbox: `${prefix}_inbox`,
};
