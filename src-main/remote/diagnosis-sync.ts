/**
 * Which of a worker's diagnoses the coordinator has not seen as they are now. A diagnosis goes once
 * when it is found and again each time its recovered mark changes (set, or taken off again), so the
 * coordinator's Health panel follows the worker's.
 */
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'

export class DiagnosisSync {
  private readonly sent = new Set<string>()

  /** The diagnoses not yet sent in their present state. */
  pending(all: readonly Diagnosis[]): Diagnosis[] {
    return all.filter((d) => !this.sent.has(DiagnosisSync.key(d)))
  }

  /** After the coordinator accepted them. */
  markSent(diagnoses: readonly Diagnosis[]): void {
    for (const d of diagnoses) this.sent.add(DiagnosisSync.key(d))
  }

  private static key(d: Diagnosis): string {
    return `${d.kind}:${d.recovered === undefined ? '' : (d.recovered?.detectedAt ?? 'again')}`
  }
}
