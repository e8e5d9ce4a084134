// The org tree, fetched once per page load and shared by the pages that pick
// or name units (transfer, summon, the operator's place hint, admin).
import { get } from './api'
import type { Unit } from './types'

let tree: Promise<Unit[]> | null = null

export function loadUnits(): Promise<Unit[]> {
  tree ??= get<{ items: Unit[] }>('/api/v1/units/tree')
    .then((answer) => answer.items)
    .catch((e) => {
      tree = null // a later page may try again
      throw e
    })
  return tree
}

// Units a request may be given to (the server's decide.cc: Receives).
export const receivingKinds = ['street', 'township', 'community', 'department']
