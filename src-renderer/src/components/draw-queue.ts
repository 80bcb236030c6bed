/**
 * Chart redraws spread over animation frames. A live comparison updates a dozen charts at once;
 * redrawn together they made one main-thread task of 100–300 ms (npm run bench:ui), long enough to
 * freeze the slider under the hand. Each chart queues its redraw here (a newer one replaces its
 * pending one) and each frame draws charts until a small budget is spent, at least one.
 */
const queue = new Map<object, () => void>()
let scheduled = false
/** Drawing time per frame, beyond the first chart. */
const BUDGET_MS = 12

function drawSome() {
  scheduled = false
  const started = performance.now()
  for (const [owner, draw] of queue) {
    queue.delete(owner)
    draw()
    if (performance.now() - started > BUDGET_MS) break
  }
  if (queue.size) schedule()
}

function schedule() {
  if (scheduled) return
  scheduled = true
  requestAnimationFrame(drawSome)
}

/** Queues `owner`'s redraw for a coming frame (replacing one it queued before). */
export function queueDraw(owner: object, draw: () => void): void {
  queue.set(owner, draw)
  schedule()
}

/** Drops `owner`'s pending redraw (it is going away). */
export function cancelDraw(owner: object): void {
  queue.delete(owner)
}
