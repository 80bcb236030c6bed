/** Points per curve: 2,000 for two runs, fewer as runs are added (a chart shows ~4,000 in all). */
export function comparePoints(runs: number): number {
  return Math.max(300, Math.min(2000, Math.round(4000 / runs)))
}
