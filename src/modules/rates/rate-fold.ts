import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { safeError } from '@/common/http-error.filter';

const BATCH = 50_000;
const INTERVAL_MS = 1_000;

/**
 * Folds the deltas the triggers append into the roll-up, every second. Queries read roll-up and deltas together, so
 * the fold only keeps queries fast; if it stops, the counts stay exact. Folds are serialised in the database.
 */
@Injectable()
export class RateFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RateFolder');
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let moved = 0;
    try {
      for (;;) {
        const [{ rate_fold: count }]: { rate_fold: number }[] = await this.db.query(`SELECT rate_fold($1)`, [BATCH]);
        moved += count;
        if (count < BATCH) break;
      }
    } catch (error) {
      this.logger.warn({ err: safeError(error) }, 'rate fold failed; will try again');
    } finally {
      this.running = false;
    }
    return moved;
  }
}
