// What the 专班 and 协同办公 pages share: the org tree as a picker's nested
// options, the people of a unit (for picking members), money in 元, status
// badges, and the field names of the collab API in the page's words.
import { watch } from 'vue'
import { get, query } from './api'
import { i18n } from './i18n'
import { loadUnits } from './units'
import type { Account, ForceTaskStatus, Unit } from './types'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)

export interface UnitOption {
  value: string
  label: string
  children?: UnitOption[]
}

// The flat tree from /units/tree, nested for el-tree-select.
export async function unitOptions(): Promise<{ units: Unit[]; options: UnitOption[] }> {
  const units = await loadUnits()
  const byParent = new Map<string, Unit[]>()
  for (const u of units) {
    const p = u.parent_id ?? ''
    byParent.set(p, [...(byParent.get(p) ?? []), u])
  }
  const build = (parent: string): UnitOption[] =>
    (byParent.get(parent) ?? []).map((u) => {
      const children = build(u.id)
      return children.length ? { value: u.id, label: u.name, children } : { value: u.id, label: u.name }
    })
  return { units, options: build('') }
}

// The staff of one unit and the units under it, from the staff directory
// (通讯录: any staff member may look up any unit; no phones).
export async function peopleOf(unitId: string): Promise<Account[]> {
  const page = await get<{ items: Account[] }>('/api/v1/directory' + query({ unit_id: unitId, limit: 200 }))
  return page.items.filter((a) => a.kind === 'staff' && !a.disabled)
}

// Keeps a member picker's people in step with its chosen unit: a new unit
// clears the person chosen and lists that unit's staff.
export function followUnitPeople(picker: { unit: string; people: Account[]; account: string; error: unknown }) {
  watch(
    () => picker.unit,
    async (unit) => {
      picker.people = []
      picker.account = ''
      picker.error = null
      if (!unit) return
      try {
        picker.people = await peopleOf(unit)
      } catch (e) {
        picker.error = e
      }
    },
  )
}

export const taskStatuses: ForceTaskStatus[] = ['todo', 'doing', 'blocked', 'done']
export function taskStatusType(s: string): 'info' | 'primary' | 'warning' | 'success' {
  return s === 'done' ? 'success' : s === 'doing' ? 'primary' : s === 'blocked' ? 'warning' : 'info'
}

// 分 → "1,234.50 元".
export function yuan(fen: number): string {
  return t('collab.yuan', { n: (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) })
}

// An <input type="datetime-local"> value (local time) → RFC 3339 with the
// browser's offset, as the server asks.
export function rfc3339(local: string | Date): string {
  const d = typeof local === 'string' ? new Date(local) : local
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0')
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:00` +
    `${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  )
}

// The collab API's fields in the page's words (ErrorText labels).
export function collabLabels(): Record<string, string> {
  return {
    title: t('collab.title_field'),
    goal: t('collab.goal'),
    charter: t('collab.charter'),
    deadline: t('collab.deadline'),
    members: t('collab.members'),
    account_id: t('collab.person'),
    owner_account_id: t('collab.owner'),
    owner_unit_id: t('collab.owner_unit'),
    deadline_days: t('collab.deadline_days'),
    depends_on: t('collab.depends_on'),
    percent: t('collab.percent'),
    text: t('collab.text'),
    summary: t('collab.summary'),
    handover: t('collab.handover'),
    stage: t('collab.stage'),
    due: t('collab.due'),
    budget_fen: t('collab.budget'),
    spent_fen: t('collab.spent'),
    body: t('collab.body'),
    to_units: t('collab.to_units'),
    ack_by: t('collab.ack_by'),
    note: t('collab.ack_note'),
  }
}

// A hotspot handed from the dashboard to 成立专班 (sessionStorage: its
// request ids are too many for a URL).
export interface HotspotDraft {
  title: string
  place: string
  representative_id: string
  request_ids: string[]
}
const draftKey = 'xt.force-from-hotspot'
export function putHotspotDraft(d: HotspotDraft) {
  sessionStorage.setItem(draftKey, JSON.stringify(d))
}
export function takeHotspotDraft(): HotspotDraft | null {
  const text = sessionStorage.getItem(draftKey)
  sessionStorage.removeItem(draftKey)
  if (!text) return null
  try {
    return JSON.parse(text) as HotspotDraft
  } catch {
    return null
  }
}
