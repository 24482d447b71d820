import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Sex } from '@/common/identity';

@Entity('person')
export class Person {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'char', length: 64 })
  idHash: string;

  @Column({ type: 'text' })
  idCipher: string;

  @Column({ type: 'varchar', length: 18 })
  idMasked: string;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Column({ type: 'varchar', length: 6 })
  sex: Sex;

  @Column({ type: 'varchar', length: 12, nullable: true })
  householdCode: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
