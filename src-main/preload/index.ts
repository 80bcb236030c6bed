/**
 * Preload (sandboxed): exposes one small typed bridge, `window.ganWorkbench`, and nothing else.
 * No Node APIs and no raw ipcRenderer reach the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { Bridge, EventName, RpcResult } from '../../src-shared/contract'
import { IPC_EVENT, IPC_INVOKE } from '../ipc/channels'

const bridge: Bridge = {
  invoke: (name, payload) => ipcRenderer.invoke(IPC_INVOKE, name, payload) as Promise<RpcResult<unknown>>,
  onEvent: (listener) => {
    const handler = (_e: IpcRendererEvent, name: EventName, data: unknown) => listener(name, data)
    ipcRenderer.on(IPC_EVENT, handler)
    return () => ipcRenderer.off(IPC_EVENT, handler)
  },
}

contextBridge.exposeInMainWorld('ganWorkbench', bridge)
