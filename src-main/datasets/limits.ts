/**
 * What a dataset file may be, in one place (docs/datasets.md lists them): regular files only
 * (a FIFO, socket or device such as /dev/zero is refused before a byte is read), and never more
 * than these. Each bounds what is held in memory at once: a dataset is loaded whole.
 */
import { DatasetError } from './dataset-error'
import { readRegularFile } from '../util/regular-file'

/** A CSV of 2D points (10 million points of ~25 characters fit). */
export const MAX_CSV_BYTES = 256 * 1024 ** 2
/** Points in one CSV. */
export const MAX_CSV_POINTS = 10_000_000
/** An IDX file, raw, and what a gzipped one may inflate to (1.3 million 28×28 images). */
export const MAX_IDX_BYTES = 1024 ** 3
/** One PNG or JPEG of an image folder. */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 ** 2
/** Width and height of one image, checked from its header before its pixels are decoded. */
export const MAX_IMAGE_SIDE = 8192
/** Images in one folder (or one side, A/ or B/, of a paired or unpaired folder). */
export const MAX_FOLDER_IMAGES = 200_000

/** A dataset file's bytes: a regular file within `maxBytes`, or a DatasetError naming the file. */
export function readDatasetFile(file: string, maxBytes: number, capName: string): Buffer {
  return readRegularFile(file, { maxBytes, capName, fail: (problem) => new DatasetError(`${file}: ${problem}`) })
}
