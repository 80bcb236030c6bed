/** Electron IPC channel names: one for requests, one for events (the contract does the rest). */
export const IPC_INVOKE = 'gwb:invoke'
export const IPC_EVENT = 'gwb:event'
