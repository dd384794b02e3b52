/**
 * Finds the line on which each element of a top-level JSON array starts, so an import error in
 * the 40th case can say "line 312". A linear scan that tracks strings and nesting depth; it runs
 * only after `JSON.parse` has accepted the text.
 */
export const arrayElementLines = (text: string): Array<number> => {
  const lines: Array<number> = []
  let line = 1
  let depth = 0
  let inString = false
  let expectElement = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "\n") line++
    if (inString) {
      if (ch === "\\") i++
      else if (ch === "\"") inString = false
      continue
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") continue
    if (depth === 1 && expectElement && ch !== "]") {
      lines.push(line)
      expectElement = false
    }
    if (ch === "\"") inString = true
    else if (ch === "[" || ch === "{") {
      depth++
      if (depth === 1) expectElement = true
    } else if (ch === "]" || ch === "}") depth--
    else if (ch === "," && depth === 1) expectElement = true
  }
  return lines
}

/** The 1-based line of a character offset. */
export const lineOfOffset = (text: string, offset: number): number => {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++
  return line
}
