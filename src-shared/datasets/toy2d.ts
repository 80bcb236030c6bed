/**
 * 2D toy distributions of the mode-collapse literature: mixtures of isotropic Gaussians, defined
 * by their mode centres and one standard deviation, so metrics can count modes exactly.
 */
import type { Rng } from '../util/rng'
import { gaussianPair } from '../util/rng'

export const TOY2D_DISTRIBUTIONS = ['ring8', 'pacgan-ring8', 'grid25', 'gaussian', 'spiral'] as const
export type Toy2dName = (typeof TOY2D_DISTRIBUTIONS)[number]

export interface Toy2dMixture {
  name: Toy2dName
  centres: [number, number][]
  std: number
}

export function toy2dMixture(name: Toy2dName, std?: number): Toy2dMixture {
  switch (name) {
    case 'ring8':
      // Eight modes on a circle of radius 2 (Metz et al., unrolled GAN).
      return { name, centres: ringCentres(8, 2), std: std ?? 0.02 }
    case 'pacgan-ring8':
      // The 2D-ring of PacGAN (Lin et al. 2018) and VEEGAN: eight modes on the unit circle, std 0.01.
      return { name, centres: ringCentres(8, 1), std: std ?? 0.01 }
    case 'grid25': {
      // 5×5 grid at -4,-2,0,2,4 (as in VEEGAN/PacGAN).
      const centres: [number, number][] = []
      for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) centres.push([2 * i, 2 * j])
      return { name, centres, std: std ?? 0.05 }
    }
    case 'gaussian':
      // The lecture's single 2D Gaussian.
      return { name, centres: [[1, 1]], std: std ?? 0.5 }
    case 'spiral': {
      // Two turns of an Archimedean spiral (r from 0.5 to 3.5) as 50 tight Gaussians spaced along
      // it: a thin curved manifold, and still a mixture, so coverage can be counted along it.
      const centres = Array.from({ length: 50 }, (_, i): [number, number] => {
        const t = i / 49
        const a = 4 * Math.PI * t
        const r = 0.5 + 3 * t
        return [r * Math.cos(a), r * Math.sin(a)]
      })
      return { name, centres, std: std ?? 0.05 }
    }
  }
}

/** `k` centres evenly spaced on a circle of radius `r`, the first on the positive x axis. */
function ringCentres(k: number, r: number): [number, number][] {
  return Array.from({ length: k }, (_, i): [number, number] => {
    const a = (2 * Math.PI * i) / k
    return [r * Math.cos(a), r * Math.sin(a)]
  })
}

/** n points as a flat [x0, y0, x1, y1, ...] array. */
export function sampleToy2d(mix: Toy2dMixture, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * 2)
  for (let i = 0; i < n; i++) {
    const [cx, cy] = mix.centres[Math.floor(rng() * mix.centres.length)]!
    const [gx, gy] = gaussianPair(rng)
    out[2 * i] = cx + mix.std * gx
    out[2 * i + 1] = cy + mix.std * gy
  }
  return out
}
