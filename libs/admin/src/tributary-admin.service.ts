import { Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { KafkaClient } from '@tributary/kafka';
import type { Observable } from 'rxjs';
import { TRIBUTARY_ADMIN_OPTIONS } from './admin-module-definition';
import type { AdminActionResult, AdminActor, AdminProgress } from './interfaces/admin-action.interface';
import type { AdminDeadLetter, DeadLetterFilter, DeadLetterSelection } from './interfaces/admin-dead-letter.interface';
import type { TributaryAdminModuleOptions } from './interfaces/admin-module-options.interface';
import type { AdminDeadRow, AdminOutboxStatus, DeadRowFilter, DeadRowSelection } from './interfaces/admin-outbox.interface';
import type { AdminProjectionStatus } from './interfaces/admin-projection.interface';
import type { AdminServiceSummary } from './interfaces/admin-service.interface';
import type { AdminTopology } from './interfaces/admin-topology.interface';

/**
 * Reads the state of a Tributary system and performs the operator actions. The CLI, the dashboard
 * and users' own code call this one service.
 */
@Injectable()
export class TributaryAdmin {
  private readonly logger = new Logger('TributaryAdmin');

  constructor(
    @Inject(TRIBUTARY_ADMIN_OPTIONS) private readonly rawOptions: TributaryAdminModuleOptions,
    private readonly moduleRef: ModuleRef,
    private readonly kafka: KafkaClient,
  ) {}

  /** Services and their instances, from the registry. */
  async services(): Promise<AdminServiceSummary[]> {
    throw new Error('TODO');
  }

  /** Who publishes, consumes and serves what, as a graph of services. */
  async topology(): Promise<AdminTopology> {
    throw new Error('TODO');
  }

  /** Backlog of the app's outbox; null when the app has no outbox. */
  async outboxStatus(): Promise<AdminOutboxStatus | null> {
    throw new Error('TODO');
  }

  async deadOutboxRows(_filter: DeadRowFilter = {}): Promise<AdminDeadRow[]> {
    throw new Error('TODO');
  }

  async requeueDeadOutboxRows(
    _selection: DeadRowSelection,
    _actor: AdminActor,
    _onProgress?: (progress: AdminProgress) => void,
  ): Promise<AdminActionResult> {
    throw new Error('TODO');
  }

  async purgeDeadOutboxRows(_selection: DeadRowSelection, _actor: AdminActor): Promise<AdminActionResult> {
    throw new Error('TODO');
  }

  async projections(): Promise<AdminProjectionStatus[]> {
    throw new Error('TODO');
  }

  async rebuildProjection(_name: string, _actor: AdminActor): Promise<Observable<AdminProgress>> {
    throw new Error('TODO');
  }

  async deadLetterTopics(): Promise<string[]> {
    throw new Error('TODO');
  }

  async deadLetters(_filter: DeadLetterFilter = {}): Promise<AdminDeadLetter[]> {
    throw new Error('TODO');
  }

  replayDeadLetters(_selection: DeadLetterSelection, _actor: AdminActor): Observable<AdminProgress> {
    throw new Error('TODO');
  }

  async archiveDeadLetters(_selection: DeadLetterSelection, _actor: AdminActor): Promise<AdminActionResult> {
    throw new Error('TODO');
  }
}
