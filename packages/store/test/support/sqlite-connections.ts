/**
 * The raw better-sqlite3 connections stores open in this process, seen through the one call every
 * connection receives when opened (`pragma`, in `openSqliteWithAdapter`; the spy calls through and
 * records each call's `this`). Tests read the pragmas in effect on them, or make them fail
 * (`max_page_count`, `query_only`) as a full or read-only disk would: the store under test is the
 * real one, only its disk misbehaves. Call inside a `describe`; each test starts with none seen.
 */
import BetterSqlite3 from "better-sqlite3"
import { afterAll, beforeEach, vi } from "vitest"

export const captureSqliteConnections = (): () => ReadonlyArray<BetterSqlite3.Database> => {
  const spy = vi.spyOn(BetterSqlite3.prototype, "pragma")
  beforeEach(() => { spy.mockClear() })
  afterAll(() => { spy.mockRestore() })
  return () => [...new Set(spy.mock.contexts as ReadonlyArray<BetterSqlite3.Database>)]
}
