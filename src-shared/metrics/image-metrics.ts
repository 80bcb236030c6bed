/**
 * Sample-quality metrics in a classifier's feature space (pure maths; the features come from the
 * app's own small classifiers, so these are "FID-style", not the Inception-network FID):
 *  - Fréchet distance between Gaussians fitted to real and generated features (Heusel et al. 2017);
 *  - an Inception-Score-style score exp(E KL(p(y|x) ‖ p(y))) from class probabilities (Salimans et al. 2016);
 *  - precision and recall with k-nearest-neighbour balls (Kynkäänniemi et al. 2019);
 *  - the class histogram of samples and its total-variation distance to the data's;
 *  - for conditional models, the share of samples classified as the label they were drawn for.
 */

/** Mean and covariance (dim × dim, row-major) of n feature vectors. */
export function meanCovariance(x: ArrayLike<number>, dim: number): { mean: Float64Array; cov: Float64Array } {
  const n = Math.floor(x.length / dim)
  const mean = new Float64Array(dim)
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += x[i * dim + d]! / n
  const cov = new Float64Array(dim * dim)
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) {
      const da = x[i * dim + a]! - mean[a]!
      for (let b = a; b < dim; b++) cov[a * dim + b]! += (da * (x[i * dim + b]! - mean[b]!)) / Math.max(n - 1, 1)
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a]!
  return { mean, cov }
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: values and column vectors. */
export function symmetricEigen(matrix: Float64Array, dim: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix)
  const v = new Float64Array(dim * dim)
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    for (let p = 0; p < dim; p++) for (let q = p + 1; q < dim; q++) off += a[p * dim + q]! ** 2
    if (off < 1e-22) break
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q]!
        if (Math.abs(apq) < 1e-300) continue
        const theta = (a[q * dim + q]! - a[p * dim + p]!) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < dim; k++) {
          const akp = a[k * dim + p]!
          const akq = a[k * dim + q]!
          a[k * dim + p] = c * akp - s * akq
          a[k * dim + q] = s * akp + c * akq
        }
        for (let k = 0; k < dim; k++) {
          const apk = a[p * dim + k]!
          const aqk = a[q * dim + k]!
          a[p * dim + k] = c * apk - s * aqk
          a[q * dim + k] = s * apk + c * aqk
        }
        for (let k = 0; k < dim; k++) {
          const vkp = v[k * dim + p]!
          const vkq = v[k * dim + q]!
          v[k * dim + p] = c * vkp - s * vkq
          v[k * dim + q] = s * vkp + c * vkq
        }
      }
    }
  }
  return { values: Float64Array.from({ length: dim }, (_, i) => a[i * dim + i]!), vectors: v }
}

function matmul(a: Float64Array, b: Float64Array, dim: number): Float64Array {
  const out = new Float64Array(dim * dim)
  for (let i = 0; i < dim; i++)
    for (let k = 0; k < dim; k++) {
      const aik = a[i * dim + k]!
      if (aik === 0) continue
      for (let j = 0; j < dim; j++) out[i * dim + j]! += aik * b[k * dim + j]!
    }
  return out
}

/** The symmetric square root V diag(√max(λ, 0)) Vᵀ of a symmetric positive semi-definite matrix. */
function sqrtSymmetric(m: Float64Array, dim: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, dim)
  const out = new Float64Array(dim * dim)
  for (let k = 0; k < dim; k++) {
    const s = Math.sqrt(Math.max(values[k]!, 0))
    if (s === 0) continue
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) out[i * dim + j]! += s * vectors[i * dim + k]! * vectors[j * dim + k]!
  }
  return out
}

/**
 * ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½). The inner product is symmetric, so both square
 * roots come from a symmetric eigen-decomposition (stable; no complex parts to drop).
 */
export function frechetDistance(real: ArrayLike<number>, generated: ArrayLike<number>, dim: number): number {
  const a = meanCovariance(real, dim)
  const b = meanCovariance(generated, dim)
  let meanTerm = 0
  for (let d = 0; d < dim; d++) meanTerm += (a.mean[d]! - b.mean[d]!) ** 2
  const rootA = sqrtSymmetric(a.cov, dim)
  const inner = sqrtSymmetric(matmul(matmul(rootA, b.cov, dim), rootA, dim), dim)
  let trace = 0
  for (let d = 0; d < dim; d++) trace += a.cov[d * dim + d]! + b.cov[d * dim + d]! - 2 * inner[d * dim + d]!
  return Math.max(0, meanTerm + trace)
}

/** exp(E_x KL(p(y|x) ‖ p(y))): 1 when every sample gets the same class distribution, up to the class count. */
export function inceptionScore(probs: ArrayLike<number>, classes: number): number {
  const n = Math.floor(probs.length / classes)
  const marginal = new Float64Array(classes)
  for (let i = 0; i < n; i++) for (let c = 0; c < classes; c++) marginal[c]! += probs[i * classes + c]! / n
  let kl = 0
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c]!
      if (p > 0) kl += (p * Math.log(p / Math.max(marginal[c]!, 1e-30))) / n
    }
  }
  return Math.exp(kl)
}

/** Squared distance between row i of a and row j of b (flat rows of `dim` numbers). */
function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, dim: number): number {
  let s = 0
  const ai = i * dim
  const bj = j * dim
  for (let d = 0; d < dim; d++) {
    const diff = a[ai + d]! - b[bj + d]!
    s += diff * diff
  }
  return s
}

/**
 * Squared distance of each point to its k-th nearest other point of the same set (0 for a lone
 * point). Distances are computed row by row and the k smallest kept by insertion: no n × n
 * matrix and no sort per row.
 */
export function kthRadii(x: ArrayLike<number>, dim: number, k: number): Float64Array {
  const n = Math.floor(x.length / dim)
  const v = Float64Array.from(x)
  const kk = Math.min(k, n - 1)
  const best = new Float64Array(Math.max(kk, 1))
  const out = new Float64Array(n)
  if (kk <= 0) return out
  for (let i = 0; i < n; i++) {
    best.fill(Infinity)
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      const d = squaredDistance(v, i, v, j, dim)
      if (d >= best[kk - 1]!) continue
      let at = kk - 1
      while (at > 0 && best[at - 1]! > d) {
        best[at] = best[at - 1]!
        at--
      }
      best[at] = d
    }
    out[i] = best[kk - 1]!
  }
  return out
}

/** Share of rows of `points` inside some ball (a row of `centres`, squared radius `radii[row]`). */
function insideShare(points: Float64Array, centres: Float64Array, radii: Float64Array, dim: number): number {
  const n = Math.floor(points.length / dim)
  let inside = 0
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < radii.length; c++) {
      if (squaredDistance(points, p, centres, c, dim) <= radii[c]!) {
        inside++
        break
      }
    }
  }
  return inside / n
}

/**
 * Precision: share of generated samples inside some real sample's k-NN ball; recall: share of real
 * samples inside some generated sample's ball (k = 3, as in Kynkäänniemi et al.).
 */
export function precisionRecall(
  real: ArrayLike<number>,
  generated: ArrayLike<number>,
  dim: number,
  k = 3,
): { precision: number; recall: number } {
  const r = Float64Array.from(real)
  const g = Float64Array.from(generated)
  return { precision: insideShare(g, r, kthRadii(r, dim, k), dim), recall: insideShare(r, g, kthRadii(g, dim, k), dim) }
}

/** Share of samples per argmax class. */
export function classHistogram(probs: ArrayLike<number>, classes: number): number[] {
  const n = Math.floor(probs.length / classes)
  const counts = new Array<number>(classes).fill(0)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c
    counts[best]!++
  }
  return counts.map((c) => c / Math.max(n, 1))
}

/** Total-variation distance ½ Σ |p − q| between two histograms (0 same, 1 disjoint). */
export function totalVariation(p: number[], q: number[]): number {
  return 0.5 * p.reduce((s, v, i) => s + Math.abs(v - (q[i] ?? 0)), 0)
}

/** Share of samples whose argmax class is the label they were generated for. */
export function labelAccuracy(probs: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  const n = labels.length
  let right = 0
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c
    if (best === labels[i]) right++
  }
  return right / Math.max(n, 1)
}

/** Per class: the share of samples generated for it whose argmax class is it (null where none were). */
export function labelAccuracyByClass(probs: ArrayLike<number>, labels: ArrayLike<number>, classes: number): (number | null)[] {
  const right = new Array<number>(classes).fill(0)
  const total = new Array<number>(classes).fill(0)
  for (let i = 0; i < labels.length; i++) {
    let best = 0
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c
    const label = labels[i]!
    total[label]!++
    if (best === label) right[label]!++
  }
  return right.map((r, c) => (total[c]! > 0 ? r / total[c]! : null))
}

export interface Embedded {
  /** n × dim features and n × classes class probabilities, flat. */
  features: ArrayLike<number>
  probs: ArrayLike<number>
}

/**
 * Every sample-quality metric of generated against real embeddings, as `eval` and the per-epoch
 * metrics report them. `labels`: the class each generated sample was drawn for (conditional models).
 */
export function imageQuality(real: Embedded, generated: Embedded, dim: number, classes: number, labels?: ArrayLike<number>) {
  const pr = precisionRecall(real.features, generated.features, dim, 3)
  const histGenerated = classHistogram(generated.probs, classes)
  const histData = classHistogram(real.probs, classes)
  return {
    metrics: {
      frechetDistance: frechetDistance(real.features, generated.features, dim),
      inceptionScore: inceptionScore(generated.probs, classes),
      precision: pr.precision,
      recall: pr.recall,
      classTV: totalVariation(histGenerated, histData),
      classesPresent: classesPresent(generated.probs, classes),
      ...(labels ? { labelAccuracy: labelAccuracy(generated.probs, labels, classes) } : {}),
    },
    histograms: { generated: histGenerated, data: histData },
    ...(labels ? { perClassAccuracy: labelAccuracyByClass(generated.probs, labels, classes) } : {}),
  }
}

/**
 * Classes recognisably present among samples: those that at least `minShare` of the samples are
 * classified as with probability ≥ `confidence` (a collapsed or smeared generator misses some).
 */
export function classesPresent(probs: ArrayLike<number>, classes: number, confidence = 0.9, minShare = 0.02): number {
  const n = Math.floor(probs.length / classes)
  const counts = new Array<number>(classes).fill(0)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c
    if (probs[i * classes + best]! >= confidence) counts[best]!++
  }
  return counts.filter((c) => n > 0 && c / n >= minShare).length
}
