// Queue and job names in one place; payloads carry ids only (the database holds the data).
export const EXCHANGE_DELIVERY_QUEUE = 'exchange-delivery';
export const EXCHANGE_DEADLINE_QUEUE = 'exchange-deadline';

export const INFLOW_IMPORT_QUEUE = 'inflow-import';

export interface ImportJob {
  importId: string;
}

export interface DeliveryJob {
  exchangeId: string;
}

export interface DeadlineJob {
  exchangeId: string;
}

/** Every queue, so health reports them all. */
export const QUEUE_NAMES: readonly string[] = [EXCHANGE_DELIVERY_QUEUE, EXCHANGE_DEADLINE_QUEUE, INFLOW_IMPORT_QUEUE];
