/**
 * Mode-coverage metrics for 2D mixtures of Gaussians, as in the mode-collapse literature
 * (Metz et al. 2017, unrolled GAN; Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN):
 *  - a sample is high quality when it lies within 3 standard deviations of some mode's centre;
 *  - a mode is captured when at least `minShare` of all samples are high-quality samples of it;
 *  - modeKL is KL(generated mode histogram ‖ real mode histogram) over high-quality samples, with
 *    the real histogram uniform over the modes (every built-in mixture weights its modes equally).
 */
export interface ModeCoverage {
  modesCaptured: number
  modes: number
  /** Share of samples within 3 std of a mode centre. */
  highQuality: number
  modeKL: number
  /** High-quality samples per mode. */
  perMode: number[]
}

/** Default share of samples a mode needs to count as captured (1 %). */
export const MIN_MODE_SHARE = 0.01

export function modeCoverage(
  points: ArrayLike<number>,
  centres: readonly (readonly [number, number])[],
  std: number,
  minShare = MIN_MODE_SHARE,
): ModeCoverage {
  const n = Math.floor(points.length / 2)
  const perMode = new Array<number>(centres.length).fill(0)
  const r2 = (3 * std) ** 2
  let hq = 0
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!
    const y = points[2 * i + 1]!
    let best = -1
    let bestD = Infinity
    centres.forEach(([cx, cy], m) => {
      const d = (x - cx) ** 2 + (y - cy) ** 2
      if (d < bestD) {
        bestD = d
        best = m
      }
    })
    if (best >= 0 && bestD <= r2) {
      perMode[best]!++
      hq++
    }
  }
  const k = centres.length
  const eps = 1e-10
  let kl = 0
  if (hq > 0) {
    for (const c of perMode) {
      const p = c / hq
      if (p > 0) kl += p * Math.log(p / (1 / k + eps))
    }
  } else {
    kl = Math.log(k) // nothing near any mode: as far from uniform as a histogram can be
  }
  return {
    modesCaptured: perMode.filter((c) => n > 0 && c / n >= minShare).length,
    modes: k,
    highQuality: n > 0 ? hq / n : 0,
    modeKL: Math.max(0, kl),
    perMode,
  }
}
