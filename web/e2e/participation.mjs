// 多元参与 in the browser (issue 18): the points half (points.mjs — earning
// by a verified report, redeeming, approval, the signed statement) and the
// 议事厅 half (deliberation.mjs — proposing, supporting to the threshold, the
// meeting and its implementation, the participatory budget and its proof).
import { pointsJourney, statementJourney } from './points.mjs'
import { deliberationJourney } from './deliberation.mjs'

export async function participationJourney(ctx) {
  await pointsJourney(ctx)
  await deliberationJourney(ctx)
  await statementJourney(ctx)
}
