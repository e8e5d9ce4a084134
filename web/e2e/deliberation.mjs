// 议事厅 and 参与式预算 in the browser (issue 18). Filled in by the deliberation pages' work.
export async function deliberationJourney() {}
