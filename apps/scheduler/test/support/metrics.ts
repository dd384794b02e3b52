/** Reading `/metrics` (Prometheus text) in tests. */

/** A metric's value in Prometheus text (one unlabelled sample). */
export const metric = (text: string, name: string): number => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `))
  if (line === undefined) throw new Error(`no ${name} in /metrics`)
  return Number(line.slice(name.length + 1))
}
