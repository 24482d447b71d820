// Read by the configuration (also in the supervisor of `npm start`, so it imports nothing).

/** REDIS_URL parsed: one server, or a Redis Cluster named by its seed nodes. */
export type RedisTarget =
  { cluster: false; url: string } | { cluster: true; nodes: { host: string; port: number }[]; username?: string; password?: string; tls: boolean };

const CLUSTER_URL = /^(redis|rediss)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;

/**
 * `redis://[user:password@]host:port[/db]` (or `rediss://`) is one server; `redis+cluster://[user:password@]h1:p1,h2:p2,…`
 * (or `rediss+cluster://`) a Redis Cluster reached through any of those seed nodes. Throws with what is wrong.
 */
export function parseRedisUrl(value: string): RedisTarget {
  const cluster = CLUSTER_URL.exec(value);
  if (!cluster) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new Error('must be a URL (redis://host:port, or redis+cluster://host1:port1,host2:port2,… for a Redis Cluster)');
    }
    if (!['redis:', 'rediss:'].includes(parsed.protocol)) throw new Error('must start with redis:, rediss:, redis+cluster: or rediss+cluster:');
    return { cluster: false, url: value };
  }
  const [, scheme, username, password, hosts] = cluster;
  const nodes = hosts.split(',').map((hostPort) => {
    const match = /^([^:,]+):(\d{1,5})$/.exec(hostPort.trim());
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) throw new Error(`names a cluster node "${hostPort}" that is not host:port`);
    return { host: match[1], port: Number(match[2]) };
  });
  return {
    cluster: true,
    nodes,
    username: username ? decodeURIComponent(username) : undefined,
    password: password ? decodeURIComponent(password) : undefined,
    tls: scheme === 'rediss',
  };
}
