/**
 * Whether the Electron binary is present. The `electron` package downloads it in an install
 * script, which does not run here (allowScripts) and needs internet; without it the app serves
 * its UI to a browser instead.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

export interface ElectronStatus {
  available: boolean
  version?: string
  binary?: string
  reason?: string
}

export function electronStatus(): ElectronStatus {
  const req = createRequire(__filename)
  let dir: string
  let version: string
  try {
    const pkgFile = req.resolve('electron/package.json')
    dir = path.dirname(pkgFile)
    version = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string }).version
  } catch {
    return { available: false, reason: 'the electron package is not installed (npm install --include=dev)' }
  }
  const pathFile = path.join(dir, 'path.txt')
  if (!fs.existsSync(pathFile)) {
    return { available: false, version, reason: `the Electron ${version} binary was never downloaded (its install script needs internet)` }
  }
  const binary = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim())
  if (!fs.existsSync(binary)) return { available: false, version, reason: `the Electron binary is missing at ${binary}` }
  return { available: true, version, binary }
}
