import { ref, type Ref } from 'vue';

/** One page of a list as the API answers it (api.md, Lists). */
export interface PageOf<T> {
  items: T[];
  total: number;
}

/**
 * A paged list screen's state: the rows of the current page, the total, the page number and whether it is loading.
 * `fetchPage` asks the API for one page; `reload` goes back to the first page (after a filter changed).
 */
export function usePagedList<T>(fetchPage: (page: number) => Promise<PageOf<T> | undefined>) {
  const rows = ref([]) as Ref<T[]>;
  const total = ref(0);
  const page = ref(1);
  const loading = ref(false);
  // Only the latest request's answer is shown: a slow answer for the tab or filter left a moment ago is dropped.
  let latest = 0;

  async function load(): Promise<void> {
    const mine = ++latest;
    loading.value = true;
    try {
      const data = await fetchPage(page.value);
      if (mine !== latest) return;
      rows.value = data?.items ?? [];
      total.value = data?.total ?? 0;
    } finally {
      if (mine === latest) loading.value = false;
    }
  }

  function reload(): Promise<void> {
    page.value = 1;
    return load();
  }

  return { rows, total, page, loading, load, reload };
}
