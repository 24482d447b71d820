import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/**
 * True once `target` has come within `margin` of the viewport, and from then on: what lies below the fold is loaded
 * when the reader scrolls to it, not with the page (console.md, "Weight on the wire": /rates' charts).
 */
export function useNearViewport(target: Ref<HTMLElement | null>, margin = '200px'): Ref<boolean> {
  const near = ref(false);
  let observer: IntersectionObserver | undefined;
  onMounted(() => {
    if (!target.value || typeof IntersectionObserver === 'undefined') {
      near.value = true;
      return;
    }
    observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        near.value = true;
        observer?.disconnect();
      },
      { rootMargin: `${margin} 0px` },
    );
    observer.observe(target.value);
  });
  onBeforeUnmount(() => observer?.disconnect());
  return near;
}
