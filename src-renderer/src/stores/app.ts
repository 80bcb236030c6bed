/** App-wide state: version, data directory, backends, connection status. */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo } from '../../../src-shared/contract'
import { api, useConnection } from './connection'

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const connection = ref<'connecting' | 'open' | 'closed'>('connecting')
  const error = ref<string | null>(null)

  useConnection().onState((s) => {
    connection.value = s
    if (s === 'open' && !info.value) void load()
  })

  async function load() {
    try {
      info.value = await api().call('app.info', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  return { info, connection, error, load }
})
