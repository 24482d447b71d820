// Queue and job names in one place; payloads carry ids only (the database holds the data).
// Modules register their queues with BullModule.registerQueue({ name }) and list them here,
// so health reports every queue without knowing the modules.
export const QUEUE_NAMES: readonly string[] = [];
