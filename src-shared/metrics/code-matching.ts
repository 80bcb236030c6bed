/**
 * InfoGAN's categorical code as a classifier (Chen et al. 2016, §7.1: "c₁ can be used as a
 * classifier that achieves 5 % error rate in classifying MNIST digits by matching each category
 * in c₁ to a digit type"): samples are drawn for each code value, an independent classifier names
 * their class, and the codes are matched one-to-one to classes so that the most samples agree
 * (the Hungarian algorithm on the code × class confusion matrix). The error is the share of
 * samples whose class is not their code's match.
 */

/**
 * A one-to-one assignment of rows to columns maximising the summed weight (rows ≤ columns: every
 * row gets a column; more rows than columns: the columns each get a row, the rest none, as -1).
 * Kuhn–Munkres with potentials, O(n² m).
 */
export function maxWeightMatching(weights: readonly (readonly number[])[]): number[] {
  const rows = weights.length
  const cols = rows === 0 ? 0 : weights[0]!.length
  if (rows === 0) return []
  if (rows > cols) {
    // Solve the transpose (columns to rows) and read it back.
    const transposed = Array.from({ length: cols }, (_, c) => weights.map((r) => r[c]!))
    const colToRow = maxWeightMatching(transposed)
    const out = new Array<number>(rows).fill(-1)
    colToRow.forEach((r, c) => (out[r] = c))
    return out
  }
  const max = Math.max(...weights.flat())
  // Minimise cost = max − weight; 1-based arrays as in the classic formulation.
  const cost = (i: number, j: number) => max - weights[i - 1]![j - 1]!
  const u = new Float64Array(rows + 1)
  const v = new Float64Array(cols + 1)
  const p = new Int32Array(cols + 1) // p[j]: row assigned to column j (0 = none)
  const way = new Int32Array(cols + 1)
  for (let i = 1; i <= rows; i++) {
    p[0] = i
    let j0 = 0
    const minv = new Float64Array(cols + 1).fill(Infinity)
    const used = new Uint8Array(cols + 1)
    do {
      used[j0] = 1
      const i0 = p[j0]!
      let delta = Infinity
      let j1 = 0
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue
        const cur = cost(i0, j) - u[i0]! - v[j]!
        if (cur < minv[j]!) {
          minv[j] = cur
          way[j] = j0
        }
        if (minv[j]! < delta) {
          delta = minv[j]!
          j1 = j
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          u[p[j]!]! += delta
          v[j]! -= delta
        } else minv[j]! -= delta
      }
      j0 = j1
    } while (p[j0] !== 0)
    do {
      const j1 = way[j0]!
      p[j0] = p[j1]!
      j0 = j1
    } while (j0 !== 0)
  }
  const out = new Array<number>(rows).fill(-1)
  for (let j = 1; j <= cols; j++) if (p[j]! > 0) out[p[j]! - 1] = j - 1
  return out
}

export interface CodeMatching {
  /** confusion[code][class]: samples drawn with the code that the classifier called the class. */
  confusion: number[][]
  /** The class each code is matched to (-1: none, when there are more codes than classes). */
  match: number[]
  /** Share of samples whose class is not their code's matched class. */
  error: number
}

/** The code ↔ class matching of samples drawn with `codes[i]` and classified as `classes[i]`. */
export function codeClassMatching(
  codes: ArrayLike<number>,
  classes: ArrayLike<number>,
  codeCount: number,
  classCount: number,
): CodeMatching {
  const confusion = Array.from({ length: codeCount }, () => new Array<number>(classCount).fill(0))
  for (let i = 0; i < codes.length; i++) confusion[codes[i]!]![classes[i]!]!++
  const match = maxWeightMatching(confusion)
  const agreed = match.reduce((s, c, code) => s + (c >= 0 ? confusion[code]![c]! : 0), 0)
  return { confusion, match, error: codes.length > 0 ? 1 - agreed / codes.length : 0 }
}
