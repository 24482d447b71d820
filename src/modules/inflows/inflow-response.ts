import { IdCipher } from '@/common/id-cipher';
import { PersonRef, toPersonRef } from '@/modules/persons/persons.service';
import { CertificateCheck, Inflow } from './inflow.entity';

export interface InflowResponse {
  id: string;
  caseId: string;
  person: PersonRef;
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
  return {
    id: inflow.id,
    caseId: inflow.caseId,
    person: full ? { ...toPersonRef(person), idNumber: cipher.decrypt(person.idCipher) } : toPersonRef(person),
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
