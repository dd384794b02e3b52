/**
 * How the tests start one of the workspaces' programs as a process (a scheduler worker, the admin
 * CLI, the sandbox, a store test worker): from its build (`dist/…/x.js`) when every workspace's
 * build is up to date with its sources, else from source through tsx with the `@recert/source`
 * condition. Both run the tree as it is: a build is used only when no file under any workspace's
 * `src/` is newer than that workspace's `dist/.tsbuildinfo` (what `tsc -b` writes at each build),
 * and a start from the build costs about a third of one through tsx (tsx compiles every module at
 * each start: ~4 s of CPU against ~1.4 s on this machine), which the process-heavy suites pay
 * hundreds of times. `RECERT_TEST_FROM_SOURCE=1` forces tsx.
 */
import { readdirSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("../", import.meta.url))
const TSX = createRequire(join(ROOT, "package.json")).resolve("tsx")

const newestUnder = (dir) => {
  let newest = 0
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const e of entries) {
    const p = join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs)
  }
  return newest
}

const workspaces = () =>
  ["packages", "apps"].flatMap((group) => readdirSync(join(ROOT, group), { withFileTypes: true })
    .filter((e) => e.isDirectory()).map((e) => join(ROOT, group, e.name)))

let fresh
/** Every workspace with sources has a build no older than its newest source file. */
export const buildIsFresh = () => {
  if (fresh === undefined) {
    fresh = workspaces().every((ws) => {
      const newestSource = newestUnder(join(ws, "src"))
      if (newestSource === 0) return true
      try {
        return statSync(join(ws, "dist", ".tsbuildinfo")).mtimeMs >= newestSource
      } catch {
        return false
      }
    })
  }
  return fresh
}

/**
 * The Node arguments that run `entry` (an absolute path to a workspace's `src/….ts`), followed by
 * nothing: append the program's own arguments.
 */
export const nodeArgsFor = (entry) => {
  const rel = relative(ROOT, entry).split(sep)
  const srcAt = rel.indexOf("src")
  const fromSource = ["--import", TSX, "--conditions=@recert/source", entry]
  if (process.env.RECERT_TEST_FROM_SOURCE === "1" || srcAt !== 2 || !entry.endsWith(".ts") || !buildIsFresh()) return fromSource
  const built = join(ROOT, ...rel.slice(0, 2), "dist", ...rel.slice(3)).replace(/\.ts$/, ".js")
  try {
    statSync(built)
  } catch {
    return fromSource
  }
  return [built]
}
