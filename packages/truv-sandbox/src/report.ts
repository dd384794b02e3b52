/**
 * The sandbox's read-only account of what happened: calls per endpoint, refreshes accepted and
 * rejected (limit violations attempted apart), verifications billed and free, webhooks. This is
 * what end-to-end tests and benchmarks assert on ("no limit violations, no wasted billing").
 */

export interface VerificationCount {
  billed: number
  free: number
  /** Refreshes that ended `no_data`: not billed. */
  notBilled: number
}

export interface LimitViolation {
  readonly at: string
  readonly orderId: string | null
  readonly linkIds: ReadonlyArray<string>
}

export interface SandboxReport {
  readonly calls: Readonly<Record<string, number>>
  readonly refreshes: {
    readonly accepted: number
    readonly rejectedForLimit: number
    readonly rejectedOther: number
    readonly acceptedByLink: Readonly<Record<string, number>>
  }
  /** Refresh requests that would have exceeded a token's 24 h limit (rejected, not counted). */
  readonly limitViolationsAttempted: number
  readonly limitViolations: ReadonlyArray<LimitViolation>
  readonly verifications: VerificationCount & {
    readonly byLineage: Readonly<Record<string, VerificationCount>>
    readonly byLink: Readonly<Record<string, VerificationCount>>
  }
  readonly tasks: { readonly created: number; readonly byStatus: Readonly<Record<string, number>> }
  readonly webhooks: {
    readonly events: number
    readonly sent: number
    readonly delivered: number
    readonly duplicated: number
    readonly dropped: number
    readonly reordered: number
    readonly failed: number
  }
  readonly ordersCreated: number
  readonly refreshOrdersCreated: number
  readonly bridgeTokensIssued: number
  /** Re-authentications refused because their Bridge token was older than 6 h (410 `expired_token`). */
  readonly expiredBridgeTokensRefused: number
  /** Lineages canceled (admin or `POST /v1/orders/{id}/cancel/`) and finalized (admin). */
  readonly lineagesCanceled: number
  readonly lineagesFinalized: number
  readonly injectedErrors: number
  /** Requests processed whose answer was then lost (`responseLossRate`): socket destroyed or 502. */
  readonly responsesLost: number
  /** Requests that got `latencySpikeMs` of extra delay (`latencySpikeRate`). */
  readonly latencySpikes: number
  readonly throttled: number
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] }

const emptyCount = (): VerificationCount => ({ billed: 0, free: 0, notBilled: 0 })

/** Mutable counters behind the report; `snapshot()` returns a deep copy. */
export class ReportRecorder {
  private data: Mutable<SandboxReport> = ReportRecorder.empty()

  static empty(): Mutable<SandboxReport> {
    return {
      calls: {},
      refreshes: { accepted: 0, rejectedForLimit: 0, rejectedOther: 0, acceptedByLink: {} },
      limitViolationsAttempted: 0,
      limitViolations: [],
      verifications: { billed: 0, free: 0, notBilled: 0, byLineage: {}, byLink: {} },
      tasks: { created: 0, byStatus: {} },
      webhooks: { events: 0, sent: 0, delivered: 0, duplicated: 0, dropped: 0, reordered: 0, failed: 0 },
      ordersCreated: 0,
      refreshOrdersCreated: 0,
      bridgeTokensIssued: 0,
      expiredBridgeTokensRefused: 0,
      lineagesCanceled: 0,
      lineagesFinalized: 0,
      injectedErrors: 0,
      responsesLost: 0,
      latencySpikes: 0,
      throttled: 0
    }
  }

  get mutable(): Mutable<SandboxReport> {
    return this.data
  }

  call(endpoint: string): void {
    this.data.calls[endpoint] = (this.data.calls[endpoint] ?? 0) + 1
  }

  refreshAccepted(linkIds: ReadonlyArray<string>): void {
    this.data.refreshes.accepted += 1
    for (const id of linkIds) this.data.refreshes.acceptedByLink[id] = (this.data.refreshes.acceptedByLink[id] ?? 0) + 1
  }

  limitViolation(violation: LimitViolation): void {
    this.data.refreshes.rejectedForLimit += 1
    this.data.limitViolationsAttempted += 1
    this.data.limitViolations.push({ ...violation, linkIds: [...violation.linkIds] })
  }

  verification(rootId: string | null, linkId: string, kind: keyof VerificationCount): void {
    const v = this.data.verifications
    v[kind] += 1
    if (rootId !== null) (v.byLineage[rootId] ??= emptyCount())[kind] += 1
    ;(v.byLink[linkId] ??= emptyCount())[kind] += 1
  }

  taskStatus(status: string): void {
    this.data.tasks.byStatus[status] = (this.data.tasks.byStatus[status] ?? 0) + 1
  }

  snapshot(): SandboxReport {
    return structuredClone(this.data)
  }

  reset(): void {
    this.data = ReportRecorder.empty()
  }
}
