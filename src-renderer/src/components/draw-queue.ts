/**
 * Chart redraws spread over animation frames. A live comparison updates a dozen charts at once;
 * redrawn together they made one main-thread task of 100–300 ms (npm run bench:ui), long enough to
 * freeze the slider under the hand. Each chart queues its redraw here (a newer one replaces its
 * pending one) and each frame draws charts while the time they took last (each chart's own last
 * drawing time) still fits a small budget, at least one. A redraw may ask to wait until its chart
 * was last drawn `minGapMs` ago (live data: a curve need not be redrawn four times a second).
 */
interface Pending {
  draw: () => void
  /** Not before this time (performance.now()). */
  notBefore: number
}
const queue = new Map<object, Pending>()
/** Each owner's last drawing: when it ended and how long it took. */
const last = new WeakMap<object, { at: number; ms: number }>()
let scheduled = false
/** Drawing time per frame, beyond the first chart. */
const BUDGET_MS = 12

function drawSome() {
  scheduled = false
  const started = performance.now()
  let drew = false
  for (const [owner, p] of queue) {
    const now = performance.now()
    if (p.notBefore > now) continue
    // The first due chart always; then others while their last drawing time fits the budget.
    if (drew && now - started + (last.get(owner)?.ms ?? BUDGET_MS) > BUDGET_MS) break
    queue.delete(owner)
    p.draw()
    const end = performance.now()
    last.set(owner, { at: end, ms: end - now })
    drew = true
  }
  if (queue.size) schedule()
}

function schedule() {
  if (scheduled) return
  scheduled = true
  requestAnimationFrame(drawSome)
}

/** Queues `owner`'s redraw for a coming frame (replacing one it queued before), at least `minGapMs` after its last. */
export function queueDraw(owner: object, draw: () => void, minGapMs = 0): void {
  const at = last.get(owner)?.at
  // A redraw already due stays due (a live update does not delay a change the user made).
  const notBefore = Math.min(queue.get(owner)?.notBefore ?? Infinity, at === undefined ? 0 : at + minGapMs)
  queue.set(owner, { draw, notBefore })
  schedule()
}

/** Drops `owner`'s pending redraw (it is going away). */
export function cancelDraw(owner: object): void {
  queue.delete(owner)
}
