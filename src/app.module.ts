import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { BullModule } from '@nestjs/bullmq';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdCipher } from '@/common/id-cipher';
import { IdempotencyInterceptor } from '@/common/idempotency.interceptor';
import { AppLoggerModule } from '@/common/logging';
import type { Cluster } from 'ioredis';
import { bullPrefix, redisRetryStrategy } from '@/common/redis-connection';
import { BULL_CLUSTER, RedisModule } from '@/common/redis.module';
import { QueuesModule } from '@/queues/queues.module';
import { ReadReplicaModule } from '@/database/read-replica.module';
import { RequestContextMiddleware } from '@/common/request-context';
import { AppConfig } from '@/config/config';
import { APP_CONFIG, ConfigModule } from '@/config/config.module';
import { dataSourceOptions } from '@/database/data-source-options';
import { AuditModule } from '@/modules/audit/audit.module';
import { AuthModule } from '@/modules/auth/auth.module';
import { CaseViewModule } from '@/modules/case-view/case-view.module';
import { CertificatesModule } from '@/modules/certificates/certificates.module';
import { ExchangesModule, ExchangeWorkersModule } from '@/modules/exchanges/exchanges.module';
import { HealthModule } from '@/modules/health/health.module';
import { ImportsModule, ImportWorkersModule } from '@/modules/imports/imports.module';
import { InflowsModule } from '@/modules/inflows/inflows.module';
import { JurisdictionsModule } from '@/modules/jurisdictions/jurisdictions.module';
import { OutflowsModule } from '@/modules/outflows/outflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { RatesModule, RateWorkersModule } from '@/modules/rates/rates.module';
import { UsersModule } from '@/modules/users/users.module';
import { WorkingCalendarSync } from '@/database/working-calendar';
import { NotificationsModule, NotificationWorkersModule } from '@/modules/notifications/notifications.module';
import { RemindersModule } from '@/modules/reminders/reminders.module';
import { AssessmentsModule, AssessmentWorkersModule } from '@/modules/assessments/assessments.module';
import { ChannelsModule, ChannelWorkersModule } from '@/modules/channels/channels.module';
import { WorklistModule } from '@/modules/worklist/worklist.module';
import { DeclarationsModule } from '@/modules/declarations/declarations.module';

/** `api` serves HTTP, `worker` runs the queue processors, `all` (npm start) does both in one process. */
export type ProcessRole = 'all' | 'api' | 'worker';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig, role: ProcessRole = 'all'): DynamicModule {
    const features = [PersonsModule, CertificatesModule, InflowsModule, OutflowsModule, ExchangesModule, CaseViewModule, ImportsModule, RatesModule];
    const http =
      role !== 'worker' ? [...features, WorklistModule, NotificationsModule, RemindersModule, ChannelsModule, AssessmentsModule, DeclarationsModule] : [];
    const workers =
      role !== 'api'
        ? [ExchangeWorkersModule, ImportWorkersModule, RateWorkersModule, NotificationWorkersModule, ChannelWorkersModule, AssessmentWorkersModule]
        : [];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        AppLoggerModule,
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          // As the app role, never the owner: the service cannot alter a table or switch off the audit log's trigger.
          useFactory: (c: AppConfig) => ({ ...dataSourceOptions(c.databaseAppUrl), autoLoadEntities: true }),
        }),
        BullModule.forRootAsync({
          imports: [RedisModule],
          inject: [APP_CONFIG, BULL_CLUSTER],
          useFactory: (c: AppConfig, cluster: Cluster | null) => ({
            // Workers wait for Redis through an outage (BullMQ's own connections); requests never do (JobProducer).
            connection: cluster ?? { url: c.redisUrl, retryStrategy: redisRetryStrategy },
            prefix: bullPrefix(c.redisUrl, c.redisPrefix),
          }),
        }),
        RedisModule,
        QueuesModule,
        ReadReplicaModule,
        AuditModule,
        JurisdictionsModule,
        UsersModule,
        AuthModule,
        HealthModule,
        ...http,
        ...workers,
      ],
      providers: [IdCipher, WorkingCalendarSync, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // A named wildcard (path-to-regexp 8, Nest 11): every route, under the global prefix too.
    consumer.apply(RequestContextMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
