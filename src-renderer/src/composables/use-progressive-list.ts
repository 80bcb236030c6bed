/**
 * A long list rendered a chunk per animation frame. The runs table's 200 rows (each with a status
 * badge, a progress bar, tags and a note) took one main-thread task of 90–100 ms to render
 * (npm run bench:ui); the first screenful now renders at once and the rest follows, `chunk` rows a
 * frame, so no task is long enough to freeze the page. A refresh of the same length stays drawn
 * whole (no flicker when the registry is polled).
 */
import { computed, onBeforeUnmount, ref, watch, type ComputedRef, type Ref } from 'vue'

export function useProgressiveList<T>(list: Ref<readonly T[]>, first = 40, chunk = 40): ComputedRef<readonly T[]> {
  const count = ref(first)
  let frame = 0
  const grow = () => {
    frame = 0
    if (count.value >= list.value.length) return
    count.value += chunk
    if (count.value < list.value.length) frame = requestAnimationFrame(grow)
  }
  watch(
    () => list.value.length,
    (n) => {
      // A list that shrank (a search) grows back a chunk per frame when it lengthens again.
      if (n < count.value) count.value = Math.max(first, n)
      if (count.value < n && !frame) frame = requestAnimationFrame(grow)
    },
    { immediate: true },
  )
  onBeforeUnmount(() => cancelAnimationFrame(frame))
  return computed(() => (list.value.length <= count.value ? list.value : list.value.slice(0, count.value)))
}
