/**
 * The e2e tests run the built CLI (out/main/cli.js) and serve the built UI (out/renderer): before
 * they start, build again when any source is newer than the last build's stamp, so a test never
 * runs yesterday's code. `npm run build` writes the stamp too.
 */
import { buildIfNeeded } from '../../scripts/build-if-needed.mjs'

export default function setup(): void {
  if (!buildIfNeeded()) throw new Error('the app did not build (see above): the e2e tests need out/ (npm run build)')
}
