/** A row asked for by id or name that does not exist (the doors answer it as "not found"). */
export class NotFoundError extends Error {
  override name = 'NotFoundError'
}
