// Types of scripts/scale-stack.js for the TypeScript callers (the scale-out test and drill).

export interface Replica {
  port: number;
  url: string;
  pgData: string;
  stop(): Promise<void>;
}

export interface ClusterNode {
  port: number;
  dir: string;
  pid: number;
}

export interface RedisCluster {
  /** REDIS_URL of the cluster: redis+cluster://127.0.0.1:p1,… */
  url: string;
  nodes: ClusterNode[];
  masterPorts(): Promise<number[]>;
  kill(node: ClusterNode): Promise<void>;
  waitOk(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startReplica(options: { pgData: string; pgPort: number; dir: string; log?: (message: string) => void }): Promise<Replica>;
export function startRedisCluster(options: {
  dir: string;
  masters?: number;
  replicasPerMaster?: number;
  log?: (message: string) => void;
}): Promise<RedisCluster>;
