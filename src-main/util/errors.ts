/** A request that cannot be met in the current state (a run already training, a file in the way): shown to the user as is. */
export class ConflictError extends Error {
  override name = 'ConflictError'
}
