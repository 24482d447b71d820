import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Person } from '@/modules/persons/person.entity';
import { valuesOf } from '@/common/labels';

export const OUTFLOW_STATUSES = valuesOf('outflowStatus');
export type OutflowStatus = (typeof OUTFLOW_STATUSES)[number];

@Entity('outflow')
export class Outflow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @Column({ type: 'uuid' })
  personId: string;

  @ManyToOne(() => Person)
  @JoinColumn({ name: 'person_id' })
  person?: Person;

  @Column({ type: 'varchar', length: 12 })
  householdCode: string;

  @Column({ type: 'varchar', length: 12 })
  originTownshipCode: string;

  @Column({ type: 'date' })
  departureDate: string;

  @Column({ type: 'varchar', length: 12, nullable: true })
  expectedDestinationCode: string | null;

  /** An outflow notice went to the expected destination (a township or village) when this was registered. */
  @Column({ type: 'boolean', default: false })
  notified: boolean;

  @Column({ type: 'varchar', length: 12, default: 'active' })
  status: OutflowStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  registeredAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'date', nullable: true })
  closeDate: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}
