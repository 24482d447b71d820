import { Inject, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { Poller } from '@/common/poller';
import { ImportJob, INFLOW_IMPORT_QUEUE } from '@/queues/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { startWorker } from '@/queues/start-worker';
import { ImportRun } from './import-run';
import { ImportsService } from './imports.service';

/** One import at a time per worker; a killed worker's import comes back after WORKER_LOCK and resumes from its checkpoint. */
@Processor(INFLOW_IMPORT_QUEUE, { autorun: false, concurrency: 1 })
export class ImportProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private resume: Poller | null = null;

  constructor(
    private readonly imports: ImportsService,
    private readonly importRun: ImportRun,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    startWorker(this, this.config);
    // An upload accepted while Redis was down starts once it is back.
    this.resume = new Poller('ImportResume', this.config.relayStaleMs, () => this.imports.resumeUnfinished());
    this.resume.start();
    await this.resume.runOnce();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.resume?.stop();
  }

  async process(job: Job<ImportJob>): Promise<void> {
    await this.importRun.run(job.data.importId);
  }
}
