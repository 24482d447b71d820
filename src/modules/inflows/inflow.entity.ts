import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Child, Contraception, MaritalStatus } from '@/modules/persons/family';
import { Person } from '@/modules/persons/person.entity';
import { valuesOf } from '@/common/labels';
import type { CertificateCheck } from '@/modules/certificates/certificate-rules';

export const INFLOW_STATUSES = valuesOf('inflowStatus');
export type InflowStatus = (typeof INFLOW_STATUSES)[number];
export const REASONS = valuesOf('reason');

@Entity('inflow')
export class Inflow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @Column({ type: 'uuid' })
  personId: string;

  @ManyToOne(() => Person)
  @JoinColumn({ name: 'person_id' })
  person?: Person;

  /** The name this registration stated when it differs from the person's on record; null: the same. */
  @Column({ type: 'varchar', length: 50, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 12 })
  householdCode: string;

  @Column({ type: 'varchar', length: 12 })
  destinationCode: string;

  @Column({ type: 'varchar', length: 12 })
  originTownshipCode: string;

  @Column({ type: 'varchar', length: 12 })
  destinationTownshipCode: string;

  @Column({ type: 'varchar', length: 200 })
  address: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @Column({ type: 'date' })
  arrivalDate: string;

  @Column({ type: 'varchar', length: 10 })
  reason: (typeof REASONS)[number];

  @Column({ type: 'varchar', length: 16 })
  maritalStatus: MaritalStatus;

  @Column({ type: 'varchar', length: 50, nullable: true })
  spouseName: string | null;

  @Column({ type: 'text', nullable: true })
  spouseIdCipher: string | null;

  @Column({ type: 'varchar', length: 18, nullable: true })
  spouseIdMasked: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  children: Child[];

  @Column({ type: 'varchar', length: 16 })
  contraception: Contraception;

  @Column({ type: 'boolean', default: false })
  pregnant: boolean;

  @Column({ type: 'varchar', length: 40, nullable: true })
  certificateNumber: string | null;

  @Column({ type: 'boolean', default: false })
  undertaking: boolean;

  @Column({ type: 'varchar', length: 16 })
  certificateCheck: CertificateCheck;

  @Column({ type: 'boolean', default: false })
  keyTarget: boolean;

  @Column({ type: 'boolean', default: false })
  legacy: boolean;

  /** The bulk import that registered it, if any. */
  @Column({ type: 'uuid', nullable: true })
  importId: string | null;

  @Column({ type: 'varchar', length: 10 })
  status: InflowStatus;

  @Column({ type: 'timestamptz' })
  registeredAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'timestamptz' })
  submissionDueAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'date', nullable: true })
  departureDate: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
