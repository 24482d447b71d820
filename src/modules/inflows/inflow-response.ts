import { IdCipher } from '@/common/id-cipher';
import { birthDateOf } from '@/common/identity';
import { PersonRef, toPersonRef } from '@/modules/persons/persons.service';
import type { CertificateCheck } from '@/modules/certificates/certificate-rules';
import { Inflow } from './inflow.entity';

export interface InflowResponse {
  id: string;
  caseId: string;
  /** `idNumber` in full and `birthDate` only on the audited detail view for staff of either side. */
  person: PersonRef & { birthDate?: string };
  /** The registration stated another name than the person's on record (the origin was asked). */
  nameMismatch: boolean;
  householdCode: string;
  destinationCode: string;
  originTownshipCode: string;
  destinationTownshipCode: string;
  address: string;
  phone: string | null;
  arrivalDate: string;
  reason: Inflow['reason'];
  maritalStatus: Inflow['maritalStatus'];
  spouse: { name: string; idNumber: string } | null;
  children: Inflow['children'];
  contraception: Inflow['contraception'];
  pregnant: boolean;
  certificateNumber: string | null;
  undertaking: boolean;
  keyTarget: boolean;
  certificateCheck: CertificateCheck;
  legacy: boolean;
  status: Inflow['status'];
  registeredAt: string;
  submittedAt: string | null;
  submissionDueAt: string;
  closedAt: string | null;
  departureDate: string | null;
}

/** An inflow as the API shows it; `full` (the audited detail view) decrypts the ID numbers. */
export function toInflowResponse(inflow: Inflow, full: boolean, cipher: IdCipher): InflowResponse {
  const person = inflow.person!;
  const ref = toPersonRef(person, cipher, inflow.name ?? person.name);
  const idNumber = full ? cipher.decrypt(person.idCipher) : null;
  return {
    id: inflow.id,
    caseId: inflow.caseId,
    person: idNumber ? { ...ref, idNumber, birthDate: birthDateOf(idNumber) } : ref,
    nameMismatch: inflow.name !== null && inflow.name !== person.name,
    householdCode: inflow.householdCode,
    destinationCode: inflow.destinationCode,
    originTownshipCode: inflow.originTownshipCode,
    destinationTownshipCode: inflow.destinationTownshipCode,
    address: inflow.address,
    phone: inflow.phone,
    arrivalDate: inflow.arrivalDate,
    reason: inflow.reason,
    maritalStatus: inflow.maritalStatus,
    spouse:
      inflow.spouseName && inflow.spouseIdCipher
        ? { name: inflow.spouseName, idNumber: full ? cipher.decrypt(inflow.spouseIdCipher) : (inflow.spouseIdMasked as string) }
        : null,
    children: inflow.children,
    contraception: inflow.contraception,
    pregnant: inflow.pregnant,
    certificateNumber: inflow.certificateNumber,
    undertaking: inflow.undertaking,
    keyTarget: inflow.keyTarget,
    certificateCheck: inflow.certificateCheck,
    legacy: inflow.legacy,
    status: inflow.status,
    registeredAt: inflow.registeredAt.toISOString(),
    submittedAt: inflow.submittedAt?.toISOString() ?? null,
    submissionDueAt: inflow.submissionDueAt.toISOString(),
    closedAt: inflow.closedAt?.toISOString() ?? null,
    departureDate: inflow.departureDate,
  };
}
