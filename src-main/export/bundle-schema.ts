/**
 * What a run bundle's two JSON files must hold, as zod schemas (the contract's style): every field
 * a type, every number a bound, every path a plain relative name. Import parses both files with
 * these before anything is used, so a wrong type, an unknown status or a missing field is a
 * BundleError naming the file and the field, never a TypeError half-way through an import. The
 * run's config is then checked by the experiment schema itself (validateExperiment).
 */
import { z } from 'zod'
import { RUN_STATUSES } from '../../src-shared/domain/run'
import { DIAGNOSIS_KINDS } from '../../src-shared/metrics/diagnostics'
import { lexicalProblem } from '../util/confined-path'

export const BUNDLE_FORMAT = 'gan-workbench-run-bundle'
/** Refused above this (the archive is read whole); a bundle of a long DCGAN run is ~0.5 GB. */
export const MAX_BUNDLE_BYTES = 4 * 1024 ** 3
/** One entry, decompressed. */
export const MAX_ENTRY_BYTES = 2 * 1024 ** 3
/** All entries together, decompressed (what import holds in memory at once). */
export const MAX_UNPACKED_BYTES = 4 * 1024 ** 3
export const MAX_ENTRIES = 100_000

/** A safe relative entry name: forward slashes, no absolute path, drive letter, `..` or empty part. */
export function safeEntryName(name: string): boolean {
  // No backslashes or colons either: on Windows they are separators, drive letters and streams.
  if (name.length === 0 || name.length > 1024 || name.includes('\\') || name.includes('\0') || name.includes(':')) return false
  if (name.startsWith('/')) return false
  return name.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 lowercase hex digits')
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER)
const entryName = z
  .string()
  .max(1024)
  .refine(safeEntryName, 'must be a plain relative path (no leading /, "..", ".", empty parts, backslash or colon)')
/** A path inside the run's folder: the confinement rule's lexical half (the rest is checked on disk). */
const runRelativePath = z.string().superRefine((p, ctx) => {
  const problem = lexicalProblem(p) ?? (safeEntryName(p) ? null : 'is not a plain relative path')
  if (problem)
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(p.slice(0, 200))} ${problem}: it must stay inside the run's folder` })
})
const timestamp = z.string().min(1).max(64)

/** The fields of a run record that import uses; others (placement, worker, …) are this machine's business and are dropped. */
export const bundledRunSchema = z
  .object({
    id: z.int().positive(),
    name: z.string().max(200),
    experiment: z.string().min(1).max(200),
    status: z.enum(RUN_STATUSES),
    config: z.unknown().refine((c) => c !== undefined, 'required'),
    backend: z.string().max(100).nullable(),
    backendReason: z.string().max(2000).nullable(),
    tags: z.array(z.string().trim().min(1).max(100)).max(1000),
    notes: z.string().max(20_000),
    step: count,
    totalSteps: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    epoch: count,
    samplesPerSec: z.number().min(0).nullable(),
    error: z.string().max(100_000).nullable(),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
  })
  .refine((r) => r.step <= r.totalSteps, { message: 'step is past totalSteps', path: ['step'] })
export type BundledRun = z.infer<typeof bundledRunSchema>

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(1),
  appVersion: z.string().max(100),
  exportedAt: timestamp,
  run: bundledRunSchema,
  files: z
    .array(z.strictObject({ path: entryName, sha256: sha256Hex, bytes: z.int().min(0).max(MAX_ENTRY_BYTES) }))
    .max(MAX_ENTRIES)
    .superRefine((files, ctx) => {
      const seen = new Set<string>()
      files.forEach((f, i) => {
        if (seen.has(f.path)) ctx.addIssue({ code: 'custom', message: `"${f.path}" is listed twice`, path: [i, 'path'] })
        seen.add(f.path)
      })
    }),
})
export type Manifest = z.infer<typeof manifestSchema>

const metricPoint = z.object({ step: count, epoch: count, value: z.number(), wallTime: z.number() })

export const runDataSchema = z.object({
  metrics: z.record(z.string().min(1).max(200), z.array(metricPoint).max(10_000_000)),
  diagnoses: z
    .array(
      z.object({
        kind: z.enum(DIAGNOSIS_KINDS),
        step: count,
        detectedAt: count,
        title: z.string().max(500),
        explanation: z.string().max(10_000),
        remedies: z.array(z.string().max(2000)).max(50),
        evidence: z.string().max(10_000),
      }),
    )
    .max(1000),
  artifacts: z
    .array(
      z.object({
        kind: z.string().regex(/^(checkpoint|samples-[a-z0-9-]{1,40})$/, 'expected "checkpoint" or a samples-… kind'),
        epoch: count,
        step: count,
        relativePath: runRelativePath,
        sha256: sha256Hex,
        bytes: count,
      }),
    )
    .max(MAX_ENTRIES),
})
export type RunData = z.infer<typeof runDataSchema>
