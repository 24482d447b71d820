import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Poller } from '@/common/poller';
import { safeError } from '@/common/http-error.filter';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { dataSourceOptions } from './data-source-options';

const LAG_CHECK_MS = 1_000;

/**
 * An error of the replica rather than of the query: no connection, the server shutting down or not accepting
 * connections (SQLSTATE classes 08 and 57P), or a query cancelled in a conflict with WAL replay (40001 on a standby).
 */
function replicaTrouble(error: unknown): boolean {
  const code = (error as { driverError?: { code?: unknown }; code?: unknown }).driverError?.code ?? (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  return code.startsWith('08') || code.startsWith('57P') || code === '40001' || /^E[A-Z]+$/.test(code);
}

/** What health reports of the replica. */
export interface ReplicaState {
  status: 'up' | 'down' | 'lagging';
  lagMs: number | null;
  /** Whether the dashboards read from it now. */
  serving: boolean;
}

/**
 * Where the supervisors' reads go (rates, trend, exports, drill-down): the streaming replica of DATABASE_READ_URL
 * while it answers and is no more than REPLICA_MAX_LAG behind, otherwise the primary. Its lag is measured every
 * second. Everything else — writes, and reads that must see the caller's own writes (a registration, then its
 * detail) — keeps using the primary. Without DATABASE_READ_URL the reader is the primary.
 */
@Injectable()
export class ReadReplica implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplica');
  private readonly replica: DataSource | null;
  private readonly poller = new Poller('ReadReplica', LAG_CHECK_MS, () => this.measure());
  private lagMs: number | null = null;
  private up = false;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.replica = config.databaseReadUrl ? new DataSource({ ...dataSourceOptions(config.databaseReadUrl), migrations: [], name: 'replica' }) : null;
  }

  /**
   * Runs a dashboard read on the replica when it is serving, else on the primary. A read the replica cannot answer
   * (it went down since the last lag check, or cancelled the query in a conflict with recovery) runs again on the
   * primary, and the replica is not used again until the next check finds it well.
   */
  async read<T>(work: (db: DataSource) => Promise<T>): Promise<T> {
    if (!this.serving) return work(this.primary);
    try {
      return await work(this.replica as DataSource);
    } catch (error) {
      if (!replicaTrouble(error)) throw error;
      this.up = false;
      this.logger.warn({ err: safeError(error) }, 'read replica failed a read; it runs on the primary');
      return work(this.primary);
    }
  }

  get state(): ReplicaState | null {
    if (!this.replica) return null;
    const status = !this.up ? 'down' : this.serving ? 'up' : 'lagging';
    return { status, lagMs: this.lagMs, serving: this.serving };
  }

  private get serving(): boolean {
    return this.replica !== null && this.up && this.lagMs !== null && this.lagMs <= this.config.replicaMaxLagMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.replica) return;
    await this.poller.runOnce();
    this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
    if (this.replica?.isInitialized) await this.replica.destroy();
  }

  /**
   * The replica's lag: none when it has replayed all it received, otherwise the time since the last transaction it
   * replayed (PostgreSQL's usual measure; it overstates the lag of an idle primary, which only sends reads back to
   * the primary for a moment).
   */
  private async measure(): Promise<void> {
    const replica = this.replica as DataSource;
    try {
      if (!replica.isInitialized) await replica.initialize();
      const [row]: { lag_ms: number | null }[] = await replica.query(
        `SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                     ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 END AS lag_ms`,
      );
      this.lagMs = row.lag_ms === null ? null : Math.round(Number(row.lag_ms));
      if (!this.up) this.logger.log({ lagMs: this.lagMs }, 'read replica serving the dashboards');
      this.up = true;
    } catch (error) {
      if (this.up) this.logger.warn({ err: safeError(error) }, 'read replica unavailable; dashboards read from the primary');
      this.up = false;
      this.lagMs = null;
    }
  }
}
