// 积分 in the browser (issue 18). Filled in by the points pages' work.
export async function pointsJourney() {}
