import { IdCipher } from '@/common/id-cipher';
import { birthDateOf } from '@/common/identity';
import { toPersonRef } from '@/modules/persons/persons.service';
import { Inflow } from './inflow.entity';
import { InflowView } from './inflows.dto';

export type InflowResponse = InflowView;

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
