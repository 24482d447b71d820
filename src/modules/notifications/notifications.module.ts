import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JurisdictionsModule } from '@/modules/jurisdictions/jurisdictions.module';
import { DailyDigest, DigestTicker } from './daily-digest';
import { Notification } from './notification.entity';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/** 站内消息 (reminders.md): the list and its counts over HTTP; the service for the modules whose events they tell of. */
@Module({
  imports: [TypeOrmModule.forFeature([Notification])],
  controllers: [NotificationsController],
  providers: [NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}

/** The daily digest and escalation, in the worker processes (`npm start`, `start:worker`). */
@Module({
  imports: [NotificationsModule, JurisdictionsModule],
  providers: [DailyDigest, DigestTicker],
  exports: [DailyDigest],
})
export class NotificationWorkersModule {}
