import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One stay away from home: the origin's outflow and the destination's inflow for it share the case. */
@Entity('migrant_case')
export class MigrantCase {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  personId: string;

  @Column({ type: 'varchar', length: 12 })
  originTownshipCode: string;

  @Column({ type: 'varchar', length: 12, nullable: true })
  destinationTownshipCode: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  openedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;
}
