// The one vitest configuration every workspace uses (each workspace's vitest.config.ts
// re-exports it), so resolution and reporting cannot drift apart between packages.
import { defineConfig } from "vitest/config"

export default defineConfig({
  // Workspaces import each other's TypeScript source through the `@recert/source` export
  // condition. Vitest's node environment reads `ssr.resolve.conditions` (not `resolve.conditions`),
  // and setting the list replaces Vite's defaults, so they are listed again after ours.
  ssr: { resolve: { conditions: ["@recert/source", "module", "node", "development|production"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: several suites start real processes (tsx compiles TypeScript at each start) and
    // CI runs two workspaces at a time on two cores. A timeout here only bounds a hung test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The JSON report feeds the one-line summary that .ci/run prints (scripts/test-summary.mjs).
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" }
  }
})
