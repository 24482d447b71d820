import { Logger } from '@nestjs/common';
import { safeError } from './http-error.filter';

/**
 * Runs a pass every `intervalMs`, never two at once in this process; a failed pass is logged (at most every 30 s,
 * since an outage fails every pass) and the next one tries again. Used by the background loops of the worker.
 */
export class Poller {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private warned = 0;

  constructor(
    name: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), this.intervalMs);
  }

  /** Stops the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        await this.pass();
      } catch (error) {
        if (Date.now() - this.warned > 30_000) {
          this.warned = Date.now();
          this.logger.warn({ err: safeError(error) }, 'pass failed; will try again');
        }
      }
    })();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }
}
