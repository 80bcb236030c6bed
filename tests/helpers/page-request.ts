/**
 * Drives a page from outside (uses the DOM's `location` inside `page.evaluate`): type-checked with
 * the DOM library by tsconfig.tests.json, so kept out of browser.ts, which bench files also import.
 */
import type { Page } from 'playwright-core'

/**
 * One contract request over a WebSocket of the page's own origin (as the UI sends them): its
 * value, or an Error naming the request and the server's message.
 */
export async function pageRequest<T>(page: Page, name: string, payload: unknown): Promise<T> {
  const reply = await page.evaluate(
    async ([n, p]) => {
      const ws = new WebSocket(`ws://${location.host}/ws`)
      await new Promise((r) => ws.addEventListener('open', r))
      const answer = new Promise<string>((r) =>
        ws.addEventListener('message', (m) => {
          if (String(m.data).includes('"type":"response"')) r(String(m.data))
        }),
      )
      ws.send(JSON.stringify({ type: 'request', id: 1, name: n, payload: p }))
      const text = await answer
      ws.close()
      return text
    },
    [name, payload] as const,
  )
  const result = (JSON.parse(reply) as { result: { ok: boolean; value: T; error?: { message: string } } }).result
  if (!result.ok) throw new Error(`${name}: ${result.error?.message ?? JSON.stringify(result)}`)
  return result.value
}
