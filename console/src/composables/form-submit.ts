import { ref, watch } from 'vue';
import { fieldErrors, type ApiError } from '@/api/client';

/**
 * A form's sending state: busy while the API answers, and a refusal shown as the API said it — each field's message
 * under its field (`details[].field`), the overall message above the buttons. `send` returns the answer, or
 * `undefined` when the API refused (the errors are then set).
 *
 * With `labels` (the API's field name → the form's label), the overall message names the fields by their labels,
 * each once (`请检查：姓名、婚姻状况`), and `refuse` shows problems the form found itself without sending.
 */
export function useFormSubmit(labels: Record<string, string> = {}) {
  const errors = ref<Record<string, string>>({});
  const message = ref('');
  const busy = ref(false);

  /** The label of a field: its own, else that of the field it belongs to (`children[0].birthDate` → 子女). */
  function labelOf(field: string): string | undefined {
    return labels[field] ?? labels[field.replace(/\[\d+\]/g, '[]')] ?? labels[field.split(/[.[]/)[0]];
  }

  /** `请检查：…` naming every field by its label once; '' when a field has no label in this form. */
  function naming(fields: string[]): string {
    const named = fields.map(labelOf);
    if (fields.length === 0 || named.some((l) => l === undefined)) return '';
    return `请检查：${[...new Set(named)].join('、')}`;
  }

  /** Shows what the form found wrong before sending, as a refusal would be shown; false when there is nothing. */
  function refuse(problems: Record<string, string>): boolean {
    if (Object.keys(problems).length === 0) return false;
    errors.value = { ...problems };
    message.value = naming(Object.keys(problems)) || '请检查标出的字段';
    return true;
  }

  /**
   * A field's message goes once its value is edited (`renames`: the form's key → the API's field where they differ,
   * e.g. `name` → `person.name`); the overall list of fields shrinks with them.
   */
  function clearOnEdit(form: Record<string, unknown>, renames: Record<string, string> = {}): void {
    for (const key of Object.keys(form)) {
      const field = renames[key] ?? key;
      watch(
        () => form[key],
        () => {
          const left = Object.entries(errors.value).filter(([f]) => f !== field && !f.startsWith(`${field}.`) && !f.startsWith(`${field}[`));
          if (left.length === Object.keys(errors.value).length) return;
          errors.value = Object.fromEntries(left);
          // A list of fields follows what is left; the API's own sentence stays until nothing is.
          if (left.length === 0) message.value = '';
          else if (message.value.startsWith('请检查：')) message.value = naming(left.map(([f]) => f)) || message.value;
        },
        { deep: true },
      );
    }
  }

  async function send<T>(call: () => Promise<{ data?: T; error?: unknown }>): Promise<{ data: T | undefined } | undefined> {
    errors.value = {};
    message.value = '';
    busy.value = true;
    try {
      const { data, error } = await call();
      if (error) {
        errors.value = fieldErrors(error);
        // Only the generic refusal (VALIDATION_FAILED) is replaced: a business rule's message says more than a list.
        const refusal = error as ApiError;
        message.value = (refusal.code === 'VALIDATION_FAILED' && naming(Object.keys(errors.value))) || refusal.message;
        return undefined;
      }
      return { data };
    } finally {
      busy.value = false;
    }
  }

  return { errors, message, busy, send, refuse, clearOnEdit };
}
