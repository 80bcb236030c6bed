/**
 * Nearest-neighbour resizing (UpSampling2D): the source row or column of each output, as tfjs' own
 * forward kernels compute it. The native kernel and the cpu gradient below both map outputs back to
 * their sources with it, so forward and gradient agree by construction.
 */
export function nearestSources(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const ratio = (alignCorners && outSize > 1 ? inSize - 1 : inSize) / (alignCorners && outSize > 1 ? outSize - 1 : outSize)
  return Int32Array.from({ length: outSize }, (_, i) => {
    const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac))
    return halfPixelCenters ? Math.max(0, nearest) : nearest
  })
}
