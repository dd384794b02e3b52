/**
 * Progress: one updating line on a terminal (stderr), nothing otherwise (structured logs carry
 * the story there). Redrawn at most every 100 ms. The process edge: it reads the terminal's wall
 * clock, never a domain instant.
 */
import type { RunStats } from "./runner/run-stats.js"

export const makeProgress = (stats: RunStats, total: () => number, enabled = process.stderr.isTTY === true) => {
  let last = 0
  const draw = (force = false) => {
    if (!enabled) return
    const now = Date.now()
    if (!force && now - last < 100) return
    last = now
    const settled = [...stats.outcomes.values()].filter((o) => o !== "in-flight" && o !== "unknown").length
    const line = `renewals: ${settled}/${total()} cases settled · ${stats.refreshEvents.sent} refreshes · ${stats.apiCalls} API calls · ${stats.webhooksReceived} webhooks · ${((now - (stats.startedAt ?? now)) / 1000).toFixed(1)} s`
    process.stderr.write(`\r\x1b[2K${line}`)
  }
  return { update: () => draw(), done: () => { draw(true); if (enabled) process.stderr.write("\n") } }
}
