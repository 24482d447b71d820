import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

const VERSION = 'v1';

/**
 * ID numbers at rest: AES-256-GCM with a random IV per value, and an HMAC-SHA-256 lookup hash.
 * Every key is derived from DATA_KEY, each for its own purpose, so one never serves as the other.
 */
@Injectable()
export class IdCipher {
  private readonly encryptionKey: Buffer;
  private readonly hashKey: Buffer;
  private readonly answerKey: Buffer;
  private readonly requestKey: Buffer;
  private readonly channelKey: Buffer;
  private readonly declarationKey: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', config.dataKey, Buffer.alloc(0), purpose, 32));
    this.encryptionKey = derive('liudong id-number encryption');
    this.hashKey = derive('liudong id-number lookup');
    this.answerKey = derive('liudong idempotency answer encryption');
    this.requestKey = derive('liudong idempotency request hash');
    this.channelKey = derive('liudong channel secret encryption');
    this.declarationKey = derive('liudong declaration form encryption');
  }

  encrypt(plain: string): string {
    return seal(this.encryptionKey, plain);
  }

  decrypt(stored: string): string {
    return unseal(this.encryptionKey, stored);
  }

  /** A stored Idempotency-Key answer (it may name people and show their ID numbers), sealed like an ID number. */
  sealAnswer(plain: string): string {
    return seal(this.answerKey, plain);
  }

  openAnswer(stored: string): string {
    return unseal(this.answerKey, stored);
  }

  /** A channel's secret (a 钉钉 robot's or a webhook's signing secret), sealed at rest with its own key. */
  sealChannelSecret(plain: string): string {
    return seal(this.channelKey, plain);
  }

  openChannelSecret(stored: string): string {
    return unseal(this.channelKey, stored);
  }

  /** A grid worker's declaration as sent (ID numbers, phone, family), sealed at rest until a clerk registers it. */
  sealDeclaration(plain: string): string {
    return seal(this.declarationKey, plain);
  }

  openDeclaration(stored: string): string {
    return unseal(this.declarationKey, stored);
  }

  /** Identifies an Idempotency-Key's request without a hash that a guessed body (an ID number) could be checked against. */
  requestHash(text: string): string {
    return createHmac('sha256', this.requestKey).update(text).digest('hex');
  }

  /** Deterministic keyed hash: equal numbers give equal hashes, and a dump without the key reveals nothing. */
  hash(plain: string): string {
    return createHmac('sha256', this.hashKey).update(plain).digest('hex');
  }
}

function seal(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

function unseal(key: Buffer, stored: string): string {
  const [version, payload] = stored.split(':');
  if (version !== VERSION || !payload) throw new Error('unknown ciphertext format');
  const raw = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
