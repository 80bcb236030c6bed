/**
 * Electron main process (built as out/main/index.js). Hosts the services, runs training in
 * utility processes, and shows the UI in a sandboxed, context-isolated window.
 */
import fs from 'node:fs'
import path from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent, type Session, type WebContents } from 'electron'
import { resolveHome } from '../platform/paths'
import { createAppContext, type AppContext } from '../app/context'
import { utilitySpawner } from './spawn-utility'
import { handleAppProtocol, registerAppScheme } from './app-protocol'
import {
  APP_ORIGIN,
  confirmedExternalLink,
  externalLinkDecision,
  externalLinkDialog,
  isAppUrl,
  isSameOrigin,
  parseRemoteWorkbenchUrl,
  permissionAllowed,
  secureWebPreferences,
} from './security'
import { ConflictError } from '../util/errors'
import { IPC_EVENT, IPC_INVOKE } from '../ipc/channels'

const rendererDir = path.join(__dirname, '..', 'renderer')
const preload = path.join(__dirname, '..', 'preload', 'index.js')

/** better-sqlite3 compiled for Electron's ABI by `npm start` (scripts/electron-native.mjs). */
function electronNativeBinding(): string | undefined {
  const file = path.join(__dirname, '..', '..', '.cache', 'electron-native', `electron-${process.versions.electron}`, 'better_sqlite3.node')
  return fs.existsSync(file) ? file : undefined
}

/** Only our own UI, loaded from app://workbench, may call the services. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  return isAppUrl(event.senderFrame?.url)
}

function homeFromArgs(argv: string[]): string | undefined {
  const i = argv.indexOf('--home')
  return i >= 0 ? argv[i + 1] : undefined
}

let ctx: AppContext | undefined
/** webContents ids of the desktop's own windows (app://workbench), the only ones that may open links outside. */
const mainWindows = new Set<number>()

/** Every permission denied, asked for (request) or merely checked (check), unless granted in security.ts. */
function denyPermissions(s: Session): void {
  s.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)))
  s.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission))
}

/** A link a page wants opened outside: decided in security.ts, confirmed by the user, then opened. */
async function openExternalLink(contents: WebContents, url: string): Promise<void> {
  const decision = externalLinkDecision({ isMainWindow: mainWindows.has(contents.id), pageUrl: contents.getURL() }, url)
  if (decision.action === 'deny') return
  const owner = BrowserWindow.fromWebContents(contents)
  const options = externalLinkDialog(decision.url)
  const { response } = owner ? await dialog.showMessageBox(owner, options) : await dialog.showMessageBox(options)
  if (confirmedExternalLink(response)) await shell.openExternal(decision.url)
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'GAN Workbench',
    show: false,
    webPreferences: secureWebPreferences(preload),
  })
  const id = win.webContents.id
  mainWindows.add(id)
  win.on('closed', () => mainWindows.delete(id))
  win.once('ready-to-show', () => win.show())
  void win.loadURL(`${APP_ORIGIN}/index.html`)
  return win
}

/** webContents id → the remote workbench origin its window may navigate within. */
const remoteOrigins = new Map<number, string>()

/**
 * A window on a remote `gan-workbench serve`: the remote UI talks to its own server over its
 * WebSocket, so it gets no preload (no bridge to this machine's services), its own session
 * (cookies and storage apart from ours, every permission denied), and stays on that origin.
 */
function openRemoteWindow(text: string): { origin: string } {
  const parsed = parseRemoteWorkbenchUrl(text)
  if ('error' in parsed) throw new ConflictError(parsed.error)
  const remoteSession = session.fromPartition(`remote:${parsed.origin}`)
  denyPermissions(remoteSession)
  const { preload: _none, ...prefs } = secureWebPreferences('')
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: `GAN Workbench — ${parsed.origin}`,
    webPreferences: { ...prefs, session: remoteSession },
  })
  const id = win.webContents.id
  remoteOrigins.set(id, parsed.origin)
  win.on('closed', () => remoteOrigins.delete(id))
  void win.loadURL(parsed.url)
  return { origin: parsed.origin }
}

registerAppScheme()
app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())

  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      void openExternalLink(contents, url).catch(() => {})
      return { action: 'deny' }
    })
    contents.on('will-navigate', (event, url) => {
      const remote = remoteOrigins.get(contents.id)
      if (remote ? !isSameOrigin(url, remote) : !isAppUrl(url)) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })

  app.whenReady().then(async () => {
    denyPermissions(session.defaultSession)
    handleAppProtocol(rendererDir)
    try {
      ctx = await createAppContext({
        home: resolveHome(homeFromArgs(process.argv)),
        mode: 'electron',
        spawn: utilitySpawner(),
        nativeBinding: electronNativeBinding(),
        openRemote: openRemoteWindow,
      })
    } catch (e) {
      dialog.showErrorBox('GAN Workbench cannot start', e instanceof Error ? e.message : String(e))
      app.exit(1)
      return
    }
    const context = ctx
    ipcMain.handle(IPC_INVOKE, (event, name: unknown, payload: unknown) => {
      if (!trustedSender(event)) return { ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } }
      return context.dispatch(name, payload)
    })
    context.runs.onEvent((name, data) => {
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC_EVENT, name, data)
    })
    createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow()
    })
  })

  let quitting = false
  app.on('before-quit', (event) => {
    if (quitting || !ctx) return
    event.preventDefault()
    quitting = true
    void ctx.close().finally(() => app.quit())
  })
  app.on('window-all-closed', () => app.quit())
}
