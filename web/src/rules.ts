// Form rules (Element Plus / async-validator) shared by the pages: what the
// server checks too, asked before sending so the person sees it at once, in
// the page's language. The server's rules are the authority (see identity.cc
// IsValidPhone / IsValidUsername, password.cc CheckPasswordPolicy).
import type { FormItemRule } from 'element-plus'
import { i18n } from './i18n'

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params)
const trigger = ['blur', 'change']

export function required(label: string, choose = false): FormItemRule {
  return { required: true, whitespace: true, message: t(choose ? 'validate.choose' : 'validate.required', { field: label }), trigger }
}

export function maxChars(label: string, n: number): FormItemRule {
  return { max: n, message: t('validate.too_long', { field: label, n }), trigger }
}

// 11 digits starting 13–19, or a landline with its area code: 0571-88886666.
export const phonePattern = /^(1[3-9]\d{9}|0\d{2,3}-\d{7,8})$/
export function phone(): FormItemRule {
  return { pattern: phonePattern, message: t('validate.phone'), trigger }
}

export function password(): FormItemRule[] {
  const label = t('login.password')
  return [
    required(label),
    { min: 8, message: t('validate.password_short'), trigger },
    { pattern: /\D/, message: t('validate.password_digits'), trigger },
  ]
}

export function username(): FormItemRule[] {
  return [required(t('login.username')), { pattern: /^[a-z][a-z0-9._-]{2,31}$/, message: t('validate.username'), trigger }]
}

// The checks of the 一件事 form's typed fields (一表申请), as the server
// makes them: 公民身份号码 (GB 11643: 17 digits and a check character),
// 统一社会信用代码 (GB 32100: 18 characters of 0-9 and A-Y without I O Z S V,
// the last a check character), an 11-digit mobile, a calendar date.
const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
export function isIdNumber(v: string): boolean {
  v = v.toUpperCase()
  if (!/^\d{17}[\dX]$/.test(v)) return false
  const sum = idWeights.reduce((s, w, i) => s + w * Number(v[i]), 0)
  return '10X98765432'[sum % 11] === v[17]
}

const usccChars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
export function isUscc(v: string): boolean {
  v = v.toUpperCase()
  if (v.length !== 18) return false
  const codes = [...v].map((c) => usccChars.indexOf(c))
  if (codes.some((c) => c < 0)) return false
  const sum = usccWeights.reduce((s, w, i) => s + w * codes[i], 0)
  return codes[17] === (31 - (sum % 31)) % 31
}

export const mobilePattern = /^1[3-9]\d{9}$/

export function isDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

// A rule that runs `check` on a filled-in value (an empty one is the
// required rule's business) and says `message` when it fails.
export function check(message: string, ok: (v: string) => boolean): FormItemRule {
  return {
    validator: (_rule, value, callback) => {
      const v = value === null || value === undefined ? '' : String(value).trim()
      callback(v === '' || ok(v) ? undefined : new Error(message))
    },
    trigger,
  }
}

// Required for a value that is not text (a number; a yes/no or a choice,
// which are chosen).
export function chosen(label: string, choose = true): FormItemRule {
  return {
    required: true,
    validator: (_rule, value, callback) =>
      callback(
        value === null || value === undefined || value === ''
          ? new Error(t(choose ? 'validate.choose' : 'validate.required', { field: label }))
          : undefined,
      ),
    trigger,
  }
}
