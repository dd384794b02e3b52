#!/usr/bin/env node
// Enforces the dependency rule of DESIGN.md on every workspace, by reading the import
// specifiers of each workspace's src/ files and its package.json:
//   - @recert/core imports only `effect` and `zod` (no node: builtins, no I/O);
//   - packages import core and third-party libraries, never an app or another adapter;
//   - apps may import packages; nothing imports an app.
// Exits 1 with one line per violation: file, specifier, and the rule it breaks.
import { readFileSync, readdirSync, statSync } from "node:fs"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const rules = {
  "packages/core": { allow: (s) => s === "effect" || s.startsWith("effect/") || s === "zod" || s.startsWith("zod/"), why: "core imports only effect and zod" },
  "packages/store": { allow: (s) => !isWorkspace(s) || s === "@recert/core", why: "an adapter imports only @recert/core among workspaces" },
  "packages/truv-adapter": { allow: (s) => !isWorkspace(s) || s === "@recert/core", why: "an adapter imports only @recert/core among workspaces" },
  "apps/scheduler": { allow: (s) => !isApp(s), why: "nothing imports an app" },
  "apps/admin-cli": { allow: (s) => !isApp(s), why: "nothing imports an app" },
  "suites/proof": { allow: (s) => !isApp(s), why: "nothing imports an app (the suites run the apps as processes)" }
}
const isWorkspace = (s) => s.startsWith("@recert/")
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
for (const [ws, rule] of Object.entries(rules)) {
  const pkg = JSON.parse(readFileSync(join(root, ws, "package.json"), "utf8"))
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (!rule.allow(dep)) violations.push(`${ws}/package.json: dependency "${dep}" (${rule.why})`)
  }
  for (const file of files(join(root, ws, "src"))) {
    // Comments hold JSDoc examples such as `import { decide } from "@recert/core"`: not imports.
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec.startsWith(".")) continue
      const bare = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]
      if (!rule.allow(spec) && !rule.allow(bare)) violations.push(`${relative(root, file)}: imports "${spec}" (${rule.why})`)
    }
  }
}
if (violations.length > 0) {
  console.error(`dependency rule: ${violations.length} violation(s)\n` + violations.map((v) => `  ${v}`).join("\n"))
  process.exit(1)
}
console.log(`dependency rule: ok (${Object.keys(rules).length} workspaces)`)
