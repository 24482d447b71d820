import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JurisdictionLevel } from '@/common/division-code';
import { JurisdictionRefView } from './jurisdictions.dto';

@Entity('jurisdiction')
export class Jurisdiction {
  @PrimaryColumn({ type: 'varchar', length: 12 })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  level: JurisdictionLevel;

  @Column({ type: 'varchar', length: 12, nullable: true })
  parentCode: string | null;
}

export type JurisdictionRef = JurisdictionRefView;

export function toJurisdictionRef(j: Jurisdiction): JurisdictionRef {
  return { code: j.code, name: j.name, level: j.level };
}
