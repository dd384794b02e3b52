/**
 * Truv's documented refresh rules, as pure functions over the sandbox state: the product table,
 * the rolling 24 h per-access-token limit and the GSE free quota. Written from
 * truv-api-notes §1.3, §1.6 and §1.7, not from the client.
 */
import type { Product } from "@recert/core"
import { DAY_MS } from "./truv-time.js"

export const PRODUCTS: ReadonlyArray<Product> = ["income", "employment", "assets", "insurance", "transactions"]

/** Which refresh products an order of each type accepts (§1.3; non-payroll types: same product). */
export const ALLOWED_REFRESH_PRODUCTS: Readonly<Record<Product, ReadonlyArray<Product>>> = {
  income: ["income", "employment"],
  employment: ["employment"],
  assets: ["assets"],
  insurance: ["insurance"],
  transactions: ["transactions"]
}

export const REFRESH_LIMIT = 3
export const REFRESH_WINDOW_MS = DAY_MS

/** Refreshes counted at `now`: those at `t` with `t <= now < t + 24h`. */
export const countInWindow = (refreshes: ReadonlyArray<number>, now: number, windowMs = REFRESH_WINDOW_MS): number =>
  refreshes.filter((t) => t <= now && now < t + windowMs).length

export const GSE_FREE_REFRESHES = 5
export const GSE_FREE_WINDOW_MS = 90 * DAY_MS

/**
 * A GSE lineage's refresh order is free when it is one of the first 5 refresh orders and is made
 * within 90 days of the root order's creation. `previousRefreshOrders` counts the refresh orders
 * accepted before this one.
 */
export const isGseFree = (gse: boolean, rootCreatedAt: number, previousRefreshOrders: number, now: number): boolean =>
  gse && previousRefreshOrders < GSE_FREE_REFRESHES && now < rootCreatedAt + GSE_FREE_WINDOW_MS
