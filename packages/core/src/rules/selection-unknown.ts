/**
 * `selection.unknown`: every employer or financial account the request selects must belong to
 * the lineage, by id or by suborder number. An unknown one makes the whole request invalid
 * rather than silently refreshing less than was asked.
 */
import { defineRule, NONE } from "./rule.js"

export const selectionUnknown = defineRule("selection.unknown", (ctx) => {
  if (ctx.unknownSelectors.length === 0 && ctx.scope.length === 0) {
    // An explicit empty selection (`employers: []`) would otherwise deny with no reason at all.
    return [{
      code: "selection.unknown",
      effect: "deny",
      connectionId: null,
      message: "The request selects no employer or financial account; omit the selection to refresh all of them",
      data: { unknown: [] }
    }]
  }
  if (ctx.unknownSelectors.length === 0) return NONE
  return [{
    code: "selection.unknown",
    effect: "deny",
    connectionId: null,
    message: `The request selects ${ctx.unknownSelectors.join(", ")}, which ${ctx.unknownSelectors.length === 1 ? "is" : "are"} not part of order ${ctx.lineage.rootOrderId}`,
    data: { unknown: ctx.unknownSelectors }
  }]
})
