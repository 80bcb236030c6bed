// `npm start`: the desktop window where Electron can run, otherwise the same UI served to a browser.
//   npm start                  window if possible, else server mode on 127.0.0.1
//   npm start -- --server      always server mode; other arguments go to `gan-workbench serve`
//   GAN_WORKBENCH_NO_ELECTRON=1 npm start   same as --server
import { existsSync, readFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIfNeeded } from './build-if-needed.mjs'
import { buildNative } from './build-native.mjs'
import { ensureElectronBinding } from './electron-native.mjs'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const forceServer = args.includes('--server') || process.env.GAN_WORKBENCH_NO_ELECTRON === '1'
const passthrough = args.filter((a) => a !== '--server')

function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron')
  if (!existsSync(path.join(dir, 'package.json'))) return { reason: 'the electron package is not installed' }
  const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version
  const pathFile = path.join(dir, 'path.txt')
  if (!existsSync(pathFile)) {
    // Its install script was skipped (allowScripts); fetch the binary now if this machine is online.
    console.error(`gan-workbench: the Electron ${version} binary is not downloaded; trying to fetch it…`)
    const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: 'ignore', timeout: 300_000 })
    if (r.status !== 0 || !existsSync(pathFile))
      return { version, reason: `the Electron ${version} binary could not be downloaded (offline?)` }
  }
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? { version, binary } : { version, reason: `the Electron binary is missing at ${binary}` }
}

function run(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

buildNative() // optional: warns and carries on without a C compiler
if (!buildIfNeeded()) {
  console.error('gan-workbench: the build failed; see the errors above.')
  process.exit(1)
}

/** Launches the Electron window; returns why it cannot when it cannot. */
function launchWindow() {
  const electron = electronBinary()
  if (!electron.binary) return electron.reason
  const native = ensureElectronBinding(electron.version)
  if (!native.ok) return native.reason
  run(electron.binary, ['.', ...passthrough])
  return null
}

const whyNoWindow = forceServer ? 'server mode was requested' : launchWindow()
if (whyNoWindow) {
  console.error(`gan-workbench: no desktop window: ${whyNoWindow}.`)
  console.error('gan-workbench: serving the same UI on this machine instead; open the URL below in a browser.')
  run(process.execPath, [path.join(root, 'out', 'main', 'cli.js'), 'serve', ...passthrough])
}
