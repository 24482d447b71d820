import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { ImportJob, INFLOW_IMPORT_QUEUE } from '@/common/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { startWorker } from '@/modules/exchanges/exchange-delivery.processor';
import { ImportsService } from './imports.service';

/** One import at a time per worker; a killed worker's import comes back after WORKER_LOCK and resumes from its checkpoint. */
@Processor(INFLOW_IMPORT_QUEUE, { autorun: false, concurrency: 1 })
export class ImportProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly imports: ImportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    startWorker(this, this.config);
    await this.imports.resumeUnfinished();
  }

  async process(job: Job<ImportJob>): Promise<void> {
    await this.imports.run(job.data.importId);
  }
}
