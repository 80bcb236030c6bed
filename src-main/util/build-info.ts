/**
 * Where and from what a measurement was made, for tables that must say so: the source commit
 * (when the app runs from a git checkout) and one line describing the machine.
 */
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'

/** The app's folder: out/main (built) or src-main/util (tests) → two levels up. */
const APP_ROOT = path.resolve(__dirname, '..', '..')

/** The checkout's commit (short hash, "+dirty" when files changed), or null outside a git checkout. */
export function sourceCommit(root = APP_ROOT): string | null {
  if (!fs.existsSync(path.join(root, '.git'))) return null
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const head = git('rev-parse', '--short=12', 'HEAD')
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== ''
    return `${head}${dirty ? '+dirty' : ''}`
  } catch {
    return null
  }
}

/** Set by the build (electron.vite.config.ts): the commit out/ was built from; undefined when running from source. */
declare const __BUILD_COMMIT__: string | null | undefined
const BUILT_FROM: string | null | undefined = typeof __BUILD_COMMIT__ === 'undefined' ? undefined : __BUILD_COMMIT__

/**
 * The commit of the code that is running, for the records of measurements: the build's when
 * running a build (a checkout moved or edited after `npm run build` still runs the old code),
 * else the checkout's.
 */
export function runningCommit(builtFrom: string | null | undefined = BUILT_FROM): string | null {
  return builtFrom === undefined ? sourceCommit() : builtFrom
}

/** e.g. "2 cores (AMD EPYC 9R45), 24 GiB, Linux 6.1.0-18-amd64 (Debian GNU/Linux 12), Node v20.19.0". */
export function machineLine(): string {
  const cpus = os.cpus()
  let distro = ''
  try {
    distro = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? ''
  } catch {
    // not Linux, or no os-release: the kernel line says enough
  }
  return `${os.availableParallelism?.() ?? cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}${distro ? ` (${distro})` : ''}, Node ${process.version}`
}
