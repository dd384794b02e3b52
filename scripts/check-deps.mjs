#!/usr/bin/env node
// Enforces the dependency rule of DESIGN.md on every workspace, by reading the import
// specifiers of each workspace's src/ files and its package.json:
//   - @recert/core imports only `effect` and `zod` (no node: builtins, no I/O);
//   - packages import core and third-party libraries, never an app or another adapter;
//   - the Truv sandbox (a test peer) imports core and the adapter's public API; no package
//     imports the sandbox;
//   - apps may import packages; nothing imports an app;
//   - production code never loads the sandbox: in an app only `src/demo/` may import
//     `@recert/truv-sandbox`, and other files reach `demo/` only through a dynamic `import()`,
//     so `run` and `serve` never load it (the demo and the tests may);
//   - no two source files import each other, directly or through others (an import circle).
// Exits 1 with one line per violation: file, specifier, and the rule it breaks.
import { readFileSync, readdirSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

const root = new URL("..", import.meta.url).pathname
const rules = {
  "packages/core": { allow: (s) => s === "effect" || s.startsWith("effect/") || s === "zod" || s.startsWith("zod/"), why: "core imports only effect and zod" },
  "packages/store": { allow: (s) => !isWorkspace(s) || s === "@recert/core", why: "an adapter imports only @recert/core among workspaces" },
  "packages/delivery": { allow: (s) => !isWorkspace(s) || s === "@recert/core", why: "an adapter imports only @recert/core among workspaces" },
  "packages/truv-adapter": { allow: (s) => !isWorkspace(s) || s === "@recert/core", why: "an adapter imports only @recert/core among workspaces" },
  "packages/truv-sandbox": { allow: (s) => !isWorkspace(s) || s === "@recert/core" || s === "@recert/truv-adapter", why: "the sandbox imports only @recert/core and @recert/truv-adapter among workspaces" },
  "apps/scheduler": { allow: (s, file) => !isApp(s) && (s !== SANDBOX || isDemo(file)), why: "nothing imports an app; only src/demo/ may import the sandbox" },
  "apps/admin-cli": { allow: (s) => !isApp(s) && s !== SANDBOX, why: "nothing imports an app; production code never imports the sandbox" },
  "suites/proof": { allow: (s) => !isApp(s), why: "nothing imports an app (the suites run the apps as processes)" }
}
const SANDBOX = "@recert/truv-sandbox"
const isWorkspace = (s) => s.startsWith("@recert/")
const isDemo = (file) => file !== undefined && /[\\/]src[\\/]demo[\\/]/.test(file)
// A static import of the demo from outside it (a dynamic `import()` is allowed: loaded on demand).
const staticDemoImportRe = /(?:^|\s)(?:import|export)\s[^'";]*?from\s*["']([^"']*\/demo\/[^"']*)["']|^\s*import\s*["']([^"']*\/demo\/[^"']*)["']/gm
const isApp = (s) => s === "@recert/scheduler" || s === "@recert/admin-cli"

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* files(p)
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) yield p
  }
}
const importRe = /(?:^|\s)(?:import|export)\s[^'";]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm
const violations = []
/** file -> the source files it imports by relative path (type-only imports too: a circle is a circle). */
const graph = new Map()
for (const [ws, rule] of Object.entries(rules)) {
  const pkg = JSON.parse(readFileSync(join(root, ws, "package.json"), "utf8"))
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    // The sandbox may be a dependency of an app whose demo ships it; the file rule below decides.
    if (dep === SANDBOX && ws === "apps/scheduler") continue
    if (!rule.allow(dep)) violations.push(`${ws}/package.json: dependency "${dep}" (${rule.why})`)
  }
  for (const file of files(join(root, ws, "src"))) {
    // Comments hold JSDoc examples such as `import { decide } from "@recert/core"`: not imports.
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
    const local = []
    graph.set(file, local)
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec.startsWith(".")) {
        local.push(resolve(dirname(file), spec).replace(/\.js$/, ".ts"))
        continue
      }
      const bare = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]
      if (!rule.allow(spec, file) && !rule.allow(bare, file)) violations.push(`${relative(root, file)}: imports "${spec}" (${rule.why})`)
    }
    if (ws.startsWith("apps/") && !isDemo(file)) {
      for (const m of text.matchAll(staticDemoImportRe)) {
        violations.push(`${relative(root, file)}: imports "${m[1] ?? m[2]}" statically (only a dynamic import() may load the demo, which loads the sandbox)`)
      }
    }
  }
}
for (const circle of circles(graph)) {
  violations.push(`import circle among ${circle.map((f) => relative(root, f)).join(", ")} (each reaches the others through its imports)`)
}
if (violations.length > 0) {
  console.error(`dependency rule: ${violations.length} violation(s)\n` + violations.map((v) => `  ${v}`).join("\n"))
  process.exit(1)
}
console.log(`dependency rule: ok (${Object.keys(rules).length} workspaces)`)

/** The import circles of `graph`: its strongly connected components of two files or more (Tarjan). */
function circles(graph) {
  const index = new Map(), low = new Map(), stack = [], onStack = new Set(), found = []
  let next = 0
  const visit = (v) => {
    index.set(v, next); low.set(v, next); next++
    stack.push(v); onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))) }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
    }
    if (low.get(v) !== index.get(v)) return
    const component = []
    let w
    do { w = stack.pop(); onStack.delete(w); component.push(w) } while (w !== v)
    if (component.length > 1) found.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}
