import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Child } from '@/modules/persons/family';
import { Person } from '@/modules/persons/person.entity';

export type StoredCertificateStatus = 'valid' | 'superseded' | 'revoked';
/** `lapsed` is derived at read time: the holder has turned 50. */
export type CertificateStatus = StoredCertificateStatus | 'lapsed';

@Entity('certificate')
export class Certificate {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32 })
  number: string;

  @Column({ type: 'uuid' })
  personId: string;

  @ManyToOne(() => Person)
  @JoinColumn({ name: 'person_id' })
  person?: Person;

  /** The issuing township. */
  @Column({ type: 'varchar', length: 12 })
  issuerCode: string;

  @Column({ type: 'varchar', length: 12 })
  householdCode: string;

  @Column({ type: 'varchar', length: 50 })
  holderName: string;

  @Column({ type: 'varchar', length: 16 })
  maritalStatus: string;

  @Column({ type: 'varchar', length: 50, nullable: true })
  spouseName: string | null;

  @Column({ type: 'text', nullable: true })
  spouseIdCipher: string | null;

  @Column({ type: 'varchar', length: 18, nullable: true })
  spouseIdMasked: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  children: Child[];

  @Column({ type: 'varchar', length: 16 })
  contraception: string;

  @Column({ type: 'varchar', length: 12, default: 'valid' })
  status: StoredCertificateStatus;

  @Column({ type: 'timestamptz' })
  issuedAt: Date;

  @Column({ type: 'uuid', nullable: true })
  issuedBy: string | null;

  @Column({ type: 'uuid', nullable: true })
  supersedesId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  supersededAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  revokeReason: string | null;

  @Column({ type: 'uuid', nullable: true })
  revokedBy: string | null;
}
