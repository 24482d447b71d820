import { Module } from '@nestjs/common';
import { ExchangeOutbox } from './exchange-outbox';

@Module({
  providers: [ExchangeOutbox],
  exports: [ExchangeOutbox],
})
export class ExchangeOutboxModule {}
