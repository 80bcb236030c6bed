/**
 * Queue jobs are signed: whoever can write to Redis can add a job, so a worker takes only jobs
 * whose payload carries an HMAC-SHA-256 under the queue's worker key, and checks it before it
 * looks at anything else in the job (its coordinator URL included). The key (worker-key.ts) is
 * derived from the coordinator's secret, so a worker holds neither the secret itself nor
 * anything that mints job tokens for the coordinator's routes.
 */
import crypto from 'node:crypto'
import { JobData, issuesText } from './protocol'
import { constantTimeEqual } from '../platform/constant-time'

/** A job on the queue that this queue's coordinator did not sign (or that was changed since). */
export class ForgedJobError extends Error {
  override name = 'ForgedJobError'
}

/** One unambiguous text of everything the signature covers (the job id included: a payload cannot move to another job). */
function signedText(jobId: string, data: Omit<JobData, 'sig'>): string {
  return JSON.stringify(['gan-workbench job v1', jobId, data.runId, data.coordinator, data.token])
}

export function signJob(key: Buffer, jobId: string, data: Omit<JobData, 'sig'>): JobData {
  return { ...data, sig: crypto.createHmac('sha256', key).update(signedText(jobId, data)).digest('base64url') }
}

/** The job's payload once its shape and signature hold; a ForgedJobError (naming what is wrong, never echoing it) otherwise. */
export function openJob(key: Buffer, jobId: string | undefined, raw: unknown): JobData {
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 200) throw new ForgedJobError('the job has no valid id')
  const parsed = JobData.safeParse(raw)
  if (!parsed.success) throw new ForgedJobError(`the job's payload is not a signed queue job (${issuesText(parsed.error, 'data')})`)
  const { sig, ...data } = parsed.data
  if (!constantTimeEqual(signJob(key, jobId, data).sig, sig))
    throw new ForgedJobError("the job's signature does not match this queue's worker key")
  return parsed.data
}
