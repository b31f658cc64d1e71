import { Inject, Injectable } from '@nestjs/common';
import { RpcException, RpcHandler } from '@tributary/rpc';
import { DataSource } from 'typeorm';
import { GetOrder, type OrderView } from './get-order.contract';
import { names } from './scratch-names';

/** Answers from the read model only: an order the projection has not applied yet is NOT_FOUND. */
@Injectable()
export class OrderQueriesHandler {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  @RpcHandler(GetOrder)
  async getOrder(request: GetOrder): Promise<OrderView> {
    const rows: Array<{ order_id: string; customer: string; amount: number; event_id: string; topic: string }> = await this.dataSource.query(
      `SELECT order_id, customer, amount, event_id, topic FROM ${names.orderView} WHERE order_id = $1`,
      [request.orderId],
    );
    const row = rows[0];
    if (!row) throw new RpcException('NOT_FOUND', `order ${request.orderId} is not in the read model (yet)`);
    return { orderId: row.order_id, customer: row.customer, amount: Number(row.amount), eventId: row.event_id, topic: row.topic };
  }
}
