import { createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The verification code of a certificate: its id (16 bytes) and an Ed25519 signature over it (64 bytes), base64url,
 * 107 characters — small enough for a QR code, impossible to guess or alter without the service's key.
 */
@Injectable()
export class VerificationCodes {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly publicUrl: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.privateKey = config.certSigningKey;
    this.publicKey = createPublicKey(config.certSigningKey);
    this.publicUrl = config.publicUrl;
  }

  /** The public page a code opens (console.md /verify/:code): what the printed QR code and the console's hold. */
  urlOf(code: string): string {
    return `${this.publicUrl}/verify/${code}`;
  }

  issue(certificateId: string): string {
    const id = Buffer.from(certificateId.replace(/-/g, ''), 'hex');
    return Buffer.concat([id, sign(null, id, this.privateKey)]).toString('base64url');
  }

  /** The certificate id the code was signed for, or null for anything altered, truncated or forged. */
  read(code: string): string | null {
    if (!/^[A-Za-z0-9_-]{107}$/.test(code)) return null;
    const raw = Buffer.from(code, 'base64url');
    // One spelling per code: base64url's last character carries two unused bits, so without this check four
    // different codes would verify as the same certificate (an altered code must not pass).
    if (raw.length !== 80 || raw.toString('base64url') !== code) return null;
    const id = raw.subarray(0, 16);
    if (!verify(null, id, this.publicKey, raw.subarray(16))) return null;
    const hex = id.toString('hex');
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return UUID.test(uuid) ? uuid : null;
  }
}
