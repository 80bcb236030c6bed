/** A dataset that cannot be used as given: the message names the file (and line or field) and why. */
export class DatasetError extends Error {
  override name = 'DatasetError'
}
