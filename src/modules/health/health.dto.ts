import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { nullable } from '@/common/api-views';

// What GET /api/health answers: for operators' monitors and load balancers, not the console.

export class QueueCountsView {
  @ApiProperty() waiting: number;
  @ApiProperty() active: number;
  @ApiProperty() delayed: number;
  @ApiProperty() failed: number;
}

export class RedisClusterView {
  @ApiProperty({ description: 'cluster_state（ok / fail），无法读取时为 unknown' }) state: string;
  @ApiPropertyOptional({ description: '分配了槽位的主节点数' }) masters?: number;
  @ApiPropertyOptional({ description: '已知节点数' }) knownNodes?: number;
}

export class ReplicaStateView {
  @ApiProperty({ enum: ['up', 'down', 'lagging'] }) status: 'up' | 'down' | 'lagging';
  @ApiProperty({ type: Number, ...nullable, description: '复制延迟（毫秒）' }) lagMs: number | null;
  @ApiProperty({ description: '统计页面当前是否从只读副本读取' }) serving: boolean;
}

export class HealthView {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ enum: ['up', 'down'] }) db: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down'] }) redis: 'up' | 'down';
  @ApiPropertyOptional({ type: RedisClusterView, description: '仅在 Redis Cluster 下给出' }) redisCluster?: RedisClusterView;
  @ApiPropertyOptional({ type: ReplicaStateView, description: '仅在配置了只读副本时给出' }) replica?: ReplicaStateView;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/QueueCountsView' },
    description: '各队列的积压（Redis 不可用时为空）',
  })
  queues: Record<string, QueueCountsView>;
}
