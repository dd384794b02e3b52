/**
 * Hints for misspelt keys. Every object of a configuration is strict, so a misspelt key is
 * refused instead of silently meaning "the default"; this module makes the refusal useful:
 * `rateWindow.limt: unknown key (did you mean limit?)`. `knownKeysAt` finds the keys a schema
 * allows at a path (through defaults, optionals, pipes, unions, arrays and records), and
 * `didYouMean` picks the one a key was probably meant to be. Shared with the store's import
 * headers and the scheduler's configuration, so every "unknown key" reads the same.
 */
import type { z } from "zod"

/** Edit distance (insertions, deletions, substitutions), for names of a few dozen characters. */
const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    row = next
  }
  return row[b.length]!
}

/**
 * The known name `key` was probably meant to be: the same name in another case, or the closest
 * name at most two edits away (one for names of four characters or fewer); undefined if none.
 *
 * @example
 * didYouMean("CaseId", ["id", "caseId"])       // "caseId"
 * didYouMean("windowHour", ["limit", "windowHours"]) // "windowHours"
 */
export const didYouMean = (key: string, known: Iterable<string>): string | undefined => {
  const names = [...known]
  const sameCase = names.find((n) => n.toLowerCase() === key.toLowerCase())
  if (sameCase !== undefined) return sameCase
  const limit = key.length <= 4 ? 1 : 2
  let best: { name: string; d: number } | undefined
  for (const name of names) {
    const d = distance(key.toLowerCase(), name.toLowerCase())
    if (d <= limit && (best === undefined || d < best.d)) best = { name, d }
  }
  return best?.name
}

/** `unknown key`, with `(did you mean x?)` when a known key is close. */
export const unknownKeyMessage = (key: string, known: Iterable<string>): string => {
  const hint = didYouMean(key, known)
  return hint === undefined ? "unknown key" : `unknown key (did you mean ${hint}?)`
}

type Def = {
  readonly type: string
  readonly shape?: Record<string, z.ZodType>
  readonly innerType?: z.ZodType
  readonly in?: z.ZodType
  readonly options?: ReadonlyArray<z.ZodType>
  readonly element?: z.ZodType
  readonly valueType?: z.ZodType
}
const defOf = (schema: z.ZodType): Def => schema._zod.def

/** The object schemas `schema` may be at its top (wrappers removed, every option of a union). */
const objectsOf = (schema: z.ZodType): Array<Def> => {
  const def = defOf(schema)
  if (def.type === "object") return [def]
  if (def.type === "union") return (def.options ?? []).flatMap(objectsOf)
  const inner = def.innerType ?? def.in
  return inner === undefined ? [] : objectsOf(inner)
}

/** The schemas reached by following one key (an object's field, an array's element, a record's value). */
const childrenOf = (schema: z.ZodType, key: PropertyKey): Array<z.ZodType> => {
  const def = defOf(schema)
  if (def.type === "array") return def.element === undefined ? [] : [def.element]
  if (def.type === "record") return def.valueType === undefined ? [] : [def.valueType]
  if (def.type === "object") return def.shape?.[String(key)] === undefined ? [] : [def.shape[String(key)]!]
  if (def.type === "union") return (def.options ?? []).flatMap((o) => childrenOf(o, key))
  const inner = def.innerType ?? def.in
  return inner === undefined ? [] : childrenOf(inner, key)
}

/**
 * The keys the objects of `schema` allow at `path` (the path of an `unrecognized_keys` issue).
 *
 * @example
 * knownKeysAt(PolicyConfig, ["rateWindow"]) // ["limit", "windowHours"]
 */
export const knownKeysAt = (schema: z.ZodType, path: ReadonlyArray<PropertyKey>): Array<string> => {
  let at: Array<z.ZodType> = [schema]
  for (const key of path) at = at.flatMap((s) => childrenOf(s, key))
  return [...new Set(at.flatMap(objectsOf).flatMap((def) => Object.keys(def.shape ?? {})))]
}
