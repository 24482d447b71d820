import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '@/api/client';

/** The count of unread notifications the header's `消息` shows: read on each screen change and every minute. */
export const useUnread = defineStore('unread', () => {
  const count = ref(0);
  let latest = 0;

  async function refresh(): Promise<void> {
    const mine = ++latest;
    const { data } = await api.GET('/api/notifications/unread-count');
    if (mine === latest && data) count.value = data.count;
  }

  return { count, refresh };
});
