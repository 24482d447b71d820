import { ref } from 'vue';
import { fieldErrors, type ApiError } from '@/api/client';

/**
 * A form's sending state: busy while the API answers, and a refusal shown as the API said it — each field's message
 * under its field (`details[].field`), the overall message above the buttons. `send` returns the answer, or
 * `undefined` when the API refused (the errors are then set).
 */
export function useFormSubmit() {
  const errors = ref<Record<string, string>>({});
  const message = ref('');
  const busy = ref(false);

  async function send<T>(call: () => Promise<{ data?: T; error?: unknown }>): Promise<{ data: T | undefined } | undefined> {
    errors.value = {};
    message.value = '';
    busy.value = true;
    try {
      const { data, error } = await call();
      if (error) {
        errors.value = fieldErrors(error);
        message.value = (error as ApiError).message;
        return undefined;
      }
      return { data };
    } finally {
      busy.value = false;
    }
  }

  return { errors, message, busy, send };
}
