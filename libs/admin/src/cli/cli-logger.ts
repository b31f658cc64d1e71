import type { LoggerService } from '@nestjs/common';
import type { CliIo } from './cli-io';

/**
 * Nest logger of the CLI: warnings and errors, plus the admin's action log (who, what, how many),
 * all on stderr so stdout stays clean for `--json` and piping. Boot chatter is dropped.
 */
export class CliLogger implements LoggerService {
  constructor(private readonly io: CliIo) {}

  log(message: unknown, context?: string): void {
    if (context === 'TributaryAdmin') this.io.err(`[${context}] ${String(message)}`);
  }

  warn(message: unknown, context?: string): void {
    this.io.err(`warn${context ? ` [${context}]` : ''} ${String(message)}`);
  }

  error(message: unknown, ...rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? String(rest[rest.length - 1]) : undefined;
    this.io.err(`error${context ? ` [${context}]` : ''} ${message instanceof Error ? message.message : String(message)}`);
  }

  debug(): void {}
  verbose(): void {}
}
