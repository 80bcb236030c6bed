import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A fresh temporary directory (in `parent`, default the OS's), removed by the returned cleanup. */
export function tmpDir(prefix = 'gwb-test-', parent = os.tmpdir()): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(parent, prefix))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}
