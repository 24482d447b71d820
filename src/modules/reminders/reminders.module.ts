import { Module } from '@nestjs/common';
import { JurisdictionsModule } from '@/modules/jurisdictions/jurisdictions.module';
import { NotificationsModule } from '@/modules/notifications/notifications.module';
import { RatesModule } from '@/modules/rates/rates.module';
import { RemindersController } from './reminders.controller';
import { RemindersService } from './reminders.service';

/** 催办 (reminders.md). */
@Module({
  imports: [RatesModule, JurisdictionsModule, NotificationsModule],
  controllers: [RemindersController],
  providers: [RemindersService],
})
export class RemindersModule {}
