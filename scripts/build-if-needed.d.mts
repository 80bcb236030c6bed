/** Builds out/ when it is missing or older than the sources; false when the build failed. */
export function buildIfNeeded(options?: { quiet?: boolean }): boolean
/** Records that out/ was just built from the current sources. */
export function writeStamp(): void
