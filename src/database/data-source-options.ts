import { types } from 'pg';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { Foundation1795392000000 } from '../../migrations/1795392000000-Foundation';
import { Cases1795392100000 } from '../../migrations/1795392100000-Cases';
import { Exchanges1795392200000 } from '../../migrations/1795392200000-Exchanges';
import { Certificates1795392300000 } from '../../migrations/1795392300000-Certificates';
import { Imports1795392400000 } from '../../migrations/1795392400000-Imports';
import { Rates1795392500000 } from '../../migrations/1795392500000-Rates';
import { RegisterInflow1795392600000 } from '../../migrations/1795392600000-RegisterInflow';
import { RegisterInflows1795392700000 } from '../../migrations/1795392700000-RegisterInflows';
import { RegisterInflowsSetBased1795392800000 } from '../../migrations/1795392800000-RegisterInflowsSetBased';
import { StatementRateTriggers1795392900000 } from '../../migrations/1795392900000-StatementRateTriggers';
import { SingleRegistrationStatements1795393000000 } from '../../migrations/1795393000000-SingleRegistrationStatements';
import { PersonTrust1795393100000 } from '../../migrations/1795393100000-PersonTrust';
import { ImportFilesDropped1795393200000 } from '../../migrations/1795393200000-ImportFilesDropped';
import { AccountTokenGeneration1795393300000 } from '../../migrations/1795393300000-AccountTokenGeneration';
import { IdempotencyAnswersSealed1795393400000 } from '../../migrations/1795393400000-IdempotencyAnswersSealed';
import { ExchangeWithdrawn1795393500000 } from '../../migrations/1795393500000-ExchangeWithdrawn';
import { OutflowNotified1795393600000 } from '../../migrations/1795393600000-OutflowNotified';
import { SqlSources1795393700000 } from '../../migrations/1795393700000-SqlSources';
import { ExchangeTypes1795393800000 } from '../../migrations/1795393800000-ExchangeTypes';
import { UserPhone1795393900000 } from '../../migrations/1795393900000-UserPhone';
import { ImportRowSheetRow1795394000000 } from '../../migrations/1795394000000-ImportRowSheetRow';
import { Notifications1795394100000 } from '../../migrations/1795394100000-Notifications';
import { WorkingDays1795394200000 } from '../../migrations/1795394200000-WorkingDays';
import { DigestRuns1795394300000 } from '../../migrations/1795394300000-DigestRuns';
import { Reminders1795394400000 } from '../../migrations/1795394400000-Reminders';
import { Channels1795394500000 } from '../../migrations/1795394500000-Channels';
import { DigestRunTiming1795394600000 } from '../../migrations/1795394600000-DigestRunTiming';
import { NamePatternIndexes1795394700000 } from '../../migrations/1795394700000-NamePatternIndexes';
import { Assessments1795394800000 } from '../../migrations/1795394800000-Assessments';
import { InflowDestinationStatistics1795394900000 } from '../../migrations/1795394900000-InflowDestinationStatistics';
import { Declarations1795395000000 } from '../../migrations/1795395000000-Declarations';

// Listed, not globbed, so the same list works from ts (tests, ts-node) and from dist (npm start).
export const MIGRATIONS = [
  Foundation1795392000000,
  Cases1795392100000,
  Exchanges1795392200000,
  Certificates1795392300000,
  Imports1795392400000,
  Rates1795392500000,
  RegisterInflow1795392600000,
  RegisterInflows1795392700000,
  RegisterInflowsSetBased1795392800000,
  StatementRateTriggers1795392900000,
  SingleRegistrationStatements1795393000000,
  PersonTrust1795393100000,
  ImportFilesDropped1795393200000,
  AccountTokenGeneration1795393300000,
  IdempotencyAnswersSealed1795393400000,
  ExchangeWithdrawn1795393500000,
  OutflowNotified1795393600000,
  SqlSources1795393700000,
  ExchangeTypes1795393800000,
  UserPhone1795393900000,
  ImportRowSheetRow1795394000000,
  Notifications1795394100000,
  WorkingDays1795394200000,
  DigestRuns1795394300000,
  Reminders1795394400000,
  Channels1795394500000,
  DigestRunTiming1795394600000,
  NamePatternIndexes1795394700000,
  Assessments1795394800000,
  InflowDestinationStatistics1795394900000,
  Declarations1795395000000,
];

/**
 * PostgreSQL `date` (OID 1082): kept as the YYYY-MM-DD it is; pg would make it a Date at local midnight, which reads
 * back as the previous day's UTC instant.
 */
const DATE_OID = 1082;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID && format !== 'binary' ? (value: string) => value : types.getTypeParser(oid, format ?? 'text')) as typeof types.getTypeParser,
};

export function dataSourceOptions(databaseUrl: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    namingStrategy: new SnakeNamingStrategy(),
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Extensions are the migrations' business (as the owner); the service's role may not create them.
    installExtensions: false,
    // Broken connections (e.g. after a PostgreSQL restart) are dropped from the pool and replaced.
    // JIT compiles a plan for 100–300 ms once its estimated cost is high: never worth it for queries that must answer in
    // milliseconds (the rates corrections over 10 M rows triggered it). Parallel workers likewise: starting them costs
    // ~30 ms, and on a 2-core node serving many users at once they only take the core another request needs.
    // Named prepared statements (the rates reports) are planned with each call's parameters: after five calls
    // PostgreSQL may otherwise switch to a generic plan, which for the rates took 2 s instead of 10 ms at 1 M inflows.
    extra: {
      max: 20,
      types: pgTypes,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      options: '-c jit=off -c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_custom_plan',
    },
  };
}
