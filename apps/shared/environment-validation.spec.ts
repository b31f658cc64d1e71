import { validateGatewayEnvironment } from '../gateway/src/gateway-environment';
import { validateInventoryEnvironment } from '../inventory/src/inventory-environment';
import { validateOrdersEnvironment } from '../orders/src/orders-environment';
import { databaseOptions } from './database-options';

describe('sample services: environment validation', () => {
  it('accepts an empty environment (every variable has a default) and converts ports to numbers', () => {
    expect(validateOrdersEnvironment({})).toEqual({});
    expect(validateOrdersEnvironment({ ORDERS_HTTP_PORT: '0', KAFKA_BROKERS: 'a:9092,b:9093', PATH: '/usr/bin' })).toEqual({
      ORDERS_HTTP_PORT: 0,
      KAFKA_BROKERS: 'a:9092,b:9093',
    });
  });

  it('refuses bad values with a message naming each variable', () => {
    expect(() => validateOrdersEnvironment({ ORDERS_HTTP_PORT: '70000', KAFKA_BROKERS: 'nope' })).toThrow(
      /orders: invalid environment — KAFKA_BROKERS must be a comma-separated list of host:port \(got "nope"\); ORDERS_HTTP_PORT must not be greater than 65535/,
    );
    expect(() => validateInventoryEnvironment({ INVENTORY_DATABASE_URL: 'ftp://x' })).toThrow(/INVENTORY_DATABASE_URL must be a postgres:\/\//);
    expect(() => validateGatewayEnvironment({ HTTP_PORT: 'abc' })).toThrow(/gateway: invalid environment — HTTP_PORT/);
    expect(() => validateGatewayEnvironment({ DASHBOARD_PASSWORD: 'short' })).toThrow(/DASHBOARD_PASSWORD/);
  });

  it('maps a database URL to its TypeORM driver, anything else to an SQLite file', () => {
    expect(databaseOptions('postgres://u@h:5432/db')).toMatchObject({ type: 'postgres' });
    expect(databaseOptions('mariadb://root@h:3306/db')).toMatchObject({ type: 'mysql', url: 'mysql://root@h:3306/db' });
    expect(databaseOptions('sqlite:.tmp/x.sqlite')).toEqual({ type: 'better-sqlite3', database: '.tmp/x.sqlite' });
    expect(databaseOptions('/var/lib/orders.sqlite')).toEqual({ type: 'better-sqlite3', database: '/var/lib/orders.sqlite' });
  });
});
