/**
 * The UI screenshots in docs/images/ (`npx tsx scripts/docs-screenshots.ts HOME`): serves the data
 * directory HOME (after `npm run build`), opens each view in Debian's Chromium and saves ui-*.png.
 * HOME should hold a few finished runs (run 1 a 2D run, an image run among the others) so the
 * views have something to show; docs/ui.md says which runs the committed images show.
 */
import path from 'node:path'
import type { Page } from 'playwright-core'
import { launchBrowser } from '../tests/helpers/browser'
import { serve } from '../tests/helpers/cli'

interface Shot {
  file: string
  route: string
  /** Waits for what the view must show before the picture is taken. */
  ready: (page: Page) => Promise<unknown>
  fullPage?: boolean
}

const [home, runArg, imageRunArg, compareArg] = process.argv.slice(2)
if (!home) {
  console.error('usage: tsx scripts/docs-screenshots.ts HOME [RUN_ID] [IMAGE_RUN_ID] [COMPARE_IDS]')
  process.exit(2)
}
const run = runArg ?? '1'
const imageRun = imageRunArg ?? run
const compare = compareArg ?? '1,2'
const settle = (page: Page) => page.waitForTimeout(1500)

const SHOTS: Shot[] = [
  { file: 'ui-run-2d.png', route: `/runs/${run}`, ready: (p) => p.getByTestId('loss-chart').waitFor() },
  { file: 'ui-runs.png', route: '/runs', ready: (p) => p.locator('table tbody tr').first().waitFor() },
  { file: 'ui-run-image.png', route: `/runs/${imageRun}`, ready: (p) => p.getByTestId('loss-chart').waitFor() },
  { file: 'ui-compare.png', route: `/compare?ids=${compare}`, ready: (p) => p.locator('canvas').first().waitFor() },
  { file: 'ui-new-run.png', route: '/new', ready: (p) => p.locator('select').first().waitFor() },
  { file: 'ui-builder.png', route: '/builder', ready: (p) => p.getByTestId('total-generator').waitFor() },
  { file: 'ui-reproductions.png', route: '/reproductions', ready: (p) => p.locator('h1').first().waitFor() },
  { file: 'ui-system.png', route: '/system', ready: (p) => p.locator('h1').first().waitFor() },
]

async function main(): Promise<void> {
  const server = await serve(path.resolve(home!))
  const browser = await launchBrowser()
  try {
    const page = await browser.context.newPage()
    await page.goto(server.url) // sets the token cookie
    for (const shot of SHOTS) {
      await page.goto(`${server.origin}/#${shot.route}`)
      await shot.ready(page)
      await settle(page)
      const file = path.join(__dirname, '..', 'docs', 'images', shot.file)
      await page.screenshot({ path: file, fullPage: shot.fullPage ?? false })
      console.log(`wrote ${path.relative(process.cwd(), file)}`)
    }
  } finally {
    await browser.close()
    await server.stop()
  }
}

void main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
