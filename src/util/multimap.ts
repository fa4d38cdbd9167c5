// A Map of lists, the index shape the model, the runner, the Python reader and the transforms build most.

/** Append `value` to the list under `key`. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
