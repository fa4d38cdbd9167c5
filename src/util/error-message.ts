// What a caught value says, whatever was thrown: a -t module may throw an object with no
// prototype (String() throws on it) or one whose `message` getter throws.

/** The message of a thrown value, or a description of it when it has none that can be read. */
export function errorMessage(error: unknown): string {
  try {
    const message = (error as { message?: unknown } | null | undefined)?.message
    if (typeof message === 'string') return message
    return String(error)
  } catch {
    return 'a thrown value that cannot be shown (no readable message, no string form)'
  }
}
