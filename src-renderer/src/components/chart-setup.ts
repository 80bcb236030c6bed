/** chart.js with only the pieces the workbench uses (keeps the bundle small). */
import {
  Chart, LineController, LineElement, PointElement, ScatterController, LinearScale, Legend, Tooltip, Filler,
  BarController, BarElement, CategoryScale,
} from 'chart.js'

Chart.register(LineController, LineElement, PointElement, ScatterController, LinearScale, Legend, Tooltip, Filler, BarController, BarElement, CategoryScale)
Chart.defaults.color = '#aab3c5'
Chart.defaults.borderColor = 'rgba(255,255,255,0.08)'
Chart.defaults.font.family = 'Inter, system-ui, sans-serif'

export const PALETTE = ['#f5a524', '#4ea1ff', '#7bd88f', '#ff6b8b', '#b48cff', '#39d0d8', '#e0e070', '#ff9f6b']

export { Chart }
