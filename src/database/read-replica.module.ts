import { Global, Module } from '@nestjs/common';
import { ReadReplica } from './read-replica';

/** The dashboards' read source (DATABASE_READ_URL), one per process. */
@Global()
@Module({ providers: [ReadReplica], exports: [ReadReplica] })
export class ReadReplicaModule {}
