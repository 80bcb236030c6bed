/**
 * Where data lives. One directory per user holds the registry and every run's files; the CLI, the
 * server and the desktop app share it. `--home DIR` or GAN_WORKBENCH_HOME overrides it.
 */
import os from 'node:os'
import path from 'node:path'

export function defaultHome(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'GAN Workbench')
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'GAN Workbench')
  return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'gan-workbench')
}

export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(explicit || env.GAN_WORKBENCH_HOME || defaultHome(process.platform, env))
}

export interface HomePaths {
  home: string
  registry: string
  runs: string
  lock: string
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    registry: path.join(home, 'registry.sqlite'),
    runs: path.join(home, 'runs'),
    lock: path.join(home, 'instance.lock'),
  }
}

/** Datasets the app writes (`runs.synth`), and the only place a remote request may read its own from. */
export const DATASETS_DIR = 'datasets'

export function runDir(home: string, runId: number): string {
  return path.join(home, 'runs', String(runId))
}

/**
 * A running trainer's reserve of disk space (see util/disk-space.ts), beside the registry and
 * outside the run's folder, so it is never exported with the run.
 */
export function diskReserveFile(home: string, runId: number): string {
  return path.join(home, 'reserve', `run-${runId}`)
}
