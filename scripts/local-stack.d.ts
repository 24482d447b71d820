// Types of scripts/local-stack.js for the TypeScript callers (tests, benchmarks).

export interface StackOptions {
  /** Where the data and logs live. */
  dir: string;
  /** Durable (fsync on, kept) or throwaway. */
  persistent: boolean;
  postgres?: boolean;
  redis?: boolean;
  /** Stop the servers when this process exits (default: when not persistent). */
  cleanupOnExit?: boolean;
  log?: (message: string) => void;
}

export interface Stack {
  databaseUrl: string;
  redisUrl: string;
  dir: string;
  pgData: string;
  pgPort: number;
  redisPort: number;
  reused: boolean;
  stop(): Promise<void>;
}

export function startStack(options: StackOptions): Promise<Stack>;
export function findRedis(): { bin: string } | null;
export function findPostgres(): { bindir: string; major: number } | null;
