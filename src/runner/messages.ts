// Messages by id, as ESLint rules have them: a transform's `meta.messages` holds templates, and a
// report names one with the data to fill it. Tests can assert ids instead of prose.
import type { MessageData, MessageRef, TransformMeta } from './transform.js'

const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$]*)\s*\}\}/g

/** A message with its id and data (both absent for a message given as text). */
export interface Message {
  messageId?: string
  data?: MessageData
  text: string
}

/** Fill `ref`'s template from `meta.messages`; throws a TypeError saying what is wrong. */
export function formatMessage(meta: TransformMeta, ref: MessageRef): Message {
  if ('messageId' in ref && ref.messageId !== undefined) {
    const template = Object.prototype.hasOwnProperty.call(meta.messages, ref.messageId) ? meta.messages[ref.messageId] : undefined
    if (typeof template !== 'string') throw new TypeError(`reported messageId '${ref.messageId}', which meta.messages does not define`)
    const data = ref.data ?? {}
    const text = template.replace(PLACEHOLDER, (_, name: string) => {
      if (!Object.prototype.hasOwnProperty.call(data, name)) throw new TypeError(`message '${ref.messageId}' needs data.${name}`)
      const value = data[name]
      if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError(`message '${ref.messageId}': data.${name} must be a string or a number`)
      return String(value)
    })
    return { messageId: ref.messageId, data, text }
  }
  const text = 'message' in ref ? ref.message : undefined
  if (typeof text !== 'string' || text.trim() === '') throw new TypeError('a report needs a messageId (from meta.messages) or a non-empty message')
  return { text }
}
