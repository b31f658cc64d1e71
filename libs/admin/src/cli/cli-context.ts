import type { AdminActor } from '../interfaces/admin-action.interface';
import type { TributaryAdmin } from '../tributary-admin.service';
import type { CliIo } from './cli-io';

/** What command actions get: output, the admin service (booted on first use), and who acts. */
export interface CliContext {
  io: CliIo;
  admin(): Promise<TributaryAdmin>;
  actor(): AdminActor;
}

/** Print `value` as JSON on stdout. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.io.out(JSON.stringify(value, null, 2));
}
