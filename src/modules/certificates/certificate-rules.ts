import { ageOn } from '@/common/identity';
import { valuesOf } from '@/common/labels';

/** What checking a migrant's 婚育证明 on registration finds (an inflow's `certificateCheck`, api.md). */
export const CERTIFICATE_CHECKS = valuesOf('certificateCheck');
export type CertificateCheck = (typeof CERTIFICATE_CHECKS)[number];

/** Women of 18–49 need a 婚育证明; everyone else is not_required. */
export function needsCertificate(sex: 'male' | 'female', birthDate: string, onDate: string): boolean {
  const age = ageOn(birthDate, onDate);
  return sex === 'female' && age >= 18 && age <= 49;
}
