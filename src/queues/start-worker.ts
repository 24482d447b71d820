import { WorkerHost } from '@nestjs/bullmq';
import { logRedisErrors } from '@/common/redis-connection';
import { AppConfig } from '@/config/config';

/**
 * Starts a processor's worker, created with autorun off, with the configured lock: a killed worker's jobs come back
 * after WORKER_LOCK. Its connection waits for Redis through an outage and reconnects by itself; the errors it reports
 * meanwhile are logged, not thrown.
 */
export function startWorker(host: WorkerHost, config: AppConfig): void {
  Object.assign(host.worker.opts, { lockDuration: config.workerLockMs, stalledInterval: config.workerLockMs });
  logRedisErrors(host.worker, `Worker:${host.worker.name}`);
  void host.worker.run();
}
