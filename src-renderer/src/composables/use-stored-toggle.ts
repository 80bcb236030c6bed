/** A setting the user chose, remembered in this browser (localStorage) under `key`. */
import { ref, watch, type Ref } from 'vue'

export function useStored<T>(key: string, initial: T): Ref<T> {
  let start = initial
  try {
    const raw = localStorage.getItem(`gwb.${key}`)
    if (raw !== null) start = JSON.parse(raw) as T
  } catch {
    // unreadable or unavailable storage: the default
  }
  const value = ref(start) as Ref<T>
  watch(
    value,
    (v) => {
      try {
        localStorage.setItem(`gwb.${key}`, JSON.stringify(v))
      } catch {
        // storage full or disabled: the choice lasts this session
      }
    },
    { deep: true },
  )
  return value
}
