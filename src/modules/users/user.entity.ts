import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '@/common/scope';
import { Jurisdiction } from '@/modules/jurisdictions/jurisdiction.entity';

@Entity('app_user')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 100 })
  displayName: string;

  /** A contact phone the other side of an exchange may call (optional). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  @Column({ type: 'varchar', length: 12 })
  jurisdictionCode: string;

  @ManyToOne(() => Jurisdiction, { nullable: false })
  @JoinColumn({ name: 'jurisdiction_code' })
  jurisdiction?: Jurisdiction;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Carried in every token at login; a password change, reset or reactivation adds one, ending the earlier tokens. */
  @Column({ type: 'integer', default: 0 })
  tokenGeneration: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
