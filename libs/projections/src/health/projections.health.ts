import { Injectable } from '@nestjs/common';
import { healthResult, type TributaryHealthResult } from '@tributary/kafka';
import { ProjectionsService } from '../projections.service';

/**
 * Terminus-compatible health indicator: up when every projection of this instance is `running`.
 * A projection that is `rebuilding` (until it caught up), `failed` or stopped makes it down; the
 * details carry each projection's state and lag.
 */
@Injectable()
export class ProjectionsHealthIndicator {
  constructor(private readonly projections: ProjectionsService) {}

  async isHealthy<Key extends string = 'projections'>(key: Key = 'projections' as Key): Promise<TributaryHealthResult<Key>> {
    const details: Record<string, { state: string; lag?: number; error?: string }> = {};
    let up = true;
    for (const name of this.projections.names()) {
      const state = this.projections.state(name);
      if (state !== 'running') up = false;
      try {
        const status = await this.projections.status(name);
        details[name] = { state, lag: status.lag, ...(status.lastError && state === 'failed' ? { error: status.lastError } : {}) };
      } catch (e) {
        details[name] = { state, error: (e as Error).message };
      }
    }
    return healthResult(key, up, { projections: details });
  }
}
