import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Poller } from '@/common/poller';

const BATCH = 50_000;
const INTERVAL_MS = 1_000;

/**
 * Folds the deltas the triggers append into the roll-up, every second. Queries read roll-up and deltas together, so
 * the fold only keeps queries fast; if it stops, the counts stay exact. Folds are serialised in the database.
 */
@Injectable()
export class RateFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly poller = new Poller('RateFolder', INTERVAL_MS, () => this.fold());

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }

  private async fold(): Promise<void> {
    for (;;) {
      const [{ rate_fold: count }]: { rate_fold: number }[] = await this.db.query(`SELECT rate_fold($1)`, [BATCH]);
      if (count < BATCH) return;
    }
  }
}
