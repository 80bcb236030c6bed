/** A dialog's one action: `busy` while it runs, its error message if it fails (never thrown on). */
import { ref } from 'vue'

export function useAction() {
  const busy = ref(false)
  const error = ref<string | null>(null)
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      return await action()
    } catch (e) {
      error.value = (e as Error).message
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
