/** chart.js with only the pieces the workbench uses (keeps the bundle small), and its tooltip mode for comparisons. */
import {
  Chart,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  LinearScale,
  LogarithmicScale,
  Legend,
  Tooltip,
  Filler,
  BarController,
  BarElement,
  CategoryScale,
  Interaction,
  type InteractionItem,
} from 'chart.js'

Chart.register(
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  LinearScale,
  LogarithmicScale,
  Legend,
  Tooltip,
  Filler,
  BarController,
  BarElement,
  CategoryScale,
)
Chart.defaults.color = '#aab3c5'
Chart.defaults.borderColor = 'rgba(255,255,255,0.08)'
Chart.defaults.font.family = 'Inter, system-ui, -apple-system, sans-serif'

/** Twelve colours, so a comparison of up to twelve runs gives each its own. */
export const PALETTE = [
  '#f5a524',
  '#4ea1ff',
  '#7bd88f',
  '#ff6b8b',
  '#b48cff',
  '#39d0d8',
  '#e0e070',
  '#ff9f6b',
  '#c9a27e',
  '#ff5cd6',
  '#a3e635',
  '#94a3b8',
]

/** Index of the point whose x is nearest `x` in data sorted by x. */
function nearestIndex(data: readonly { x: number }[], x: number): number {
  let lo = 0
  let hi = data.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (data[mid]!.x < x) lo = mid
    else hi = mid
  }
  return Math.abs(data[lo]!.x - x) <= Math.abs(data[hi]!.x - x) ? lo : hi
}

/**
 * `eachSeries`: every visible series' point nearest the cursor's x, one per series, so a tooltip
 * shows every run at that x even where they logged at different steps (chart.js' own modes show
 * only the points at exactly that x, or the one nearest).
 */
;(Interaction.modes as unknown as Record<string, unknown>).eachSeries = (
  chart: Chart,
  e: { x: number | null; y: number | null },
): InteractionItem[] => {
  const area = chart.chartArea
  if (e.x === null || e.y === null || e.x < area.left || e.x > area.right || e.y < area.top || e.y > area.bottom) return []
  const x = chart.scales.x!.getValueForPixel(e.x)
  if (x === undefined) return []
  const items: InteractionItem[] = []
  chart.data.datasets.forEach((ds, datasetIndex) => {
    const meta = chart.getDatasetMeta(datasetIndex)
    const data = ds.data as { x: number }[]
    if (!chart.isDatasetVisible(datasetIndex) || data.length === 0) return
    const index = nearestIndex(data, x)
    const element = meta.data[index]
    if (element) items.push({ element, datasetIndex, index })
  })
  return items
}

export { Chart }
