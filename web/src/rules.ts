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
