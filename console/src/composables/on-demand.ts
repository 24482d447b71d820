import { onMounted, shallowRef, type Component, type ShallowRef } from 'vue';

/**
 * A component loaded on demand, for a control that stands in as a plain input until it is used (LazyPlacePicker.vue,
 * LazyDatePicker.vue): its code is fetched once the page is idle, without being rendered; `load()` resolves when it is
 * there (at once if it already is), so the swap from the stand-in happens in one render and no keystroke is lost.
 */
export function useOnDemand(loader: () => Promise<{ default: Component }>): { component: ShallowRef<Component | null>; load: () => Promise<void> } {
  const component = shallowRef<Component | null>(null);
  let loading: Promise<void> | undefined;
  const load = (): Promise<void> => {
    loading ??= loader().then((m) => {
      component.value = m.default;
    });
    return loading;
  };
  onMounted(() => {
    const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
    if (idle) idle(() => void load(), { timeout: 5_000 });
    else setTimeout(() => void load(), 1_000);
  });
  return { component, load };
}
