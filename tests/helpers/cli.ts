import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'

export const ROOT = path.resolve(__dirname, '..', '..')
export const CLI = path.join(ROOT, 'out', 'main', 'cli.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built CLI (npm test builds it first) with a data directory of its own. */
export function cli(home: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 170_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The last line of stdout parsed as JSON (`--json` prints one document, last). */
export function lastJson<T = unknown>(r: CliResult): T {
  const lines = r.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]!) as T
}

const trainingBackends = new Map<string, string>()

/**
 * The backend `auto` gives a training run on this machine: the first available one in the load
 * order `doctor` reports (tensorflow-gpu, tensorflow, webgpu on hardware, wasm, cpu). Tests
 * compare with it instead of assuming wasm, so they pass where tfjs-node or a GPU exists.
 */
export function autoTrainingBackend(home: string): string {
  const known = trainingBackends.get(home)
  if (known) return known
  const r = cli(home, ['--json', 'doctor'])
  const first = lastJson<{ backends: { name: string; available: boolean }[] }>(r).backends.find((b) => b.available)
  if (!first) throw new Error(`doctor found no backend: ${r.stdout}${r.stderr}`)
  trainingBackends.set(home, first.name)
  return first.name
}

/** Starts `serve` and resolves with its URL once it prints it. */
export function serve(
  home: string,
  extra: string[] = [],
): Promise<{ url: string; token: string; origin: string; stop: () => Promise<void>; pid: number }> {
  const child = spawn(process.execPath, [CLI, '--home', home, '--json', 'serve', '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (!line) return
      const { url } = JSON.parse(line) as { url: string }
      const u = new URL(url)
      resolve({
        url,
        token: u.searchParams.get('token')!,
        origin: u.origin,
        pid: child.pid!,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r()
            child.once('exit', () => r())
            child.kill('SIGTERM')
          }),
      })
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
}

/** `--set` flags for each `path=value`: `sets('training.epochs=2')` is `['--set', 'training.epochs=2']`. */
export function sets(...assignments: string[]): string[] {
  return assignments.flatMap((a) => ['--set', a])
}
