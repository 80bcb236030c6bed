/** A UI flow against `serve`: server and browser started, page opened at a route, no console errors at the end. */
import { expect } from 'vitest'
import type { Page } from 'playwright-core'
import { serve } from './cli'
import { launchBrowser, watchConsole } from './browser'

export async function withUi(
  home: string,
  route: string,
  flow: (page: Page, server: Awaited<ReturnType<typeof serve>>) => Promise<void>,
  serveArgs: string[] = [],
): Promise<void> {
  const server = await serve(home, serveArgs)
  const browser = await launchBrowser()
  try {
    const page = await browser.context.newPage()
    const errors = watchConsole(page)
    await page.goto(server.url) // sets the token cookie
    await page.goto(`${server.origin}/#${route}`)
    await flow(page, server)
    expect(errors).toEqual([])
  } finally {
    await browser.close()
    await server.stop()
  }
}
