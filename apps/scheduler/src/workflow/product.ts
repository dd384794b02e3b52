/** The product a case is verified for: the case's own, else its lineage's order type (core's `caseProduct`). */
import { type CaseSnapshot, caseProduct, type Product } from "@recert/core"

export const productOf = (snapshot: CaseSnapshot): Product => caseProduct(snapshot.case, snapshot.lineage)
