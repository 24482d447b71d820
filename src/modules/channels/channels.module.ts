import { Module } from '@nestjs/common';
import { IdCipher } from '@/common/id-cipher';
import { UsersModule } from '@/modules/users/users.module';
import { ChannelDeliveryProcessor, ChannelFanout } from './channel-delivery';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';

/** A user's outward channels (reminders.md): the settings over HTTP. */
@Module({
  imports: [UsersModule],
  controllers: [ChannelsController],
  providers: [ChannelsService, IdCipher],
  exports: [ChannelsService],
})
export class ChannelsModule {}

/** Notifications to their channels, in the worker processes. */
@Module({
  imports: [ChannelsModule],
  providers: [ChannelFanout, ChannelDeliveryProcessor],
})
export class ChannelWorkersModule {}
