import { onMounted, ref, type Ref } from 'vue';

/** Runs a screen's first load when it is shown; `true` until that load has finished (for the skeleton). */
export function useLoadOnMount(load: () => Promise<unknown>): Ref<boolean> {
  const loading = ref(true);
  onMounted(async () => {
    try {
      await load();
    } finally {
      loading.value = false;
    }
  });
  return loading;
}
