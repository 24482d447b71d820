import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Cluster, Redis } from 'ioredis';
import { REDIS } from '@/common/redis.module';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { UsersModule } from '@/modules/users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { SharedThrottlerStorage } from './shared-throttler-storage';

@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // A KeyObject made once: given a string, jsonwebtoken would try (and fail) to parse it as a public key on every verify.
        const key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
        return {
          secretOrKeyProvider: () => key,
          signOptions: { algorithm: 'HS256', expiresIn: config.jwtTtlSeconds, issuer: 'liudong' },
          verifyOptions: { algorithms: ['HS256'], issuer: 'liudong' },
        };
      },
    }),
    ThrottlerModule.forRootAsync({
      inject: [REDIS],
      useFactory: (redis: Redis | Cluster) => ({
        throttlers: [
          { name: 'ip', ttl: 60_000, limit: 30 },
          { name: 'username', ttl: 60_000, limit: 10 },
        ],
        // Counted in Redis: the same limits however many API processes share the load.
        storage: new SharedThrottlerStorage(redis),
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
