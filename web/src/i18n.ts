// zh-CN first, English second, one message file per language (locales/).
// scripts/check-i18n.mjs fails the build when a key the pages use is missing
// from either, or when the two languages' keys differ.
import { createI18n } from 'vue-i18n'
import zh from './locales/zh-CN'
import en from './locales/en'

export type Messages = typeof zh

const saved = localStorage.getItem('xt.lang')
export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

export function toggleLocale(): void {
  const next = i18n.global.locale.value === 'en' ? 'zh-CN' : 'en'
  i18n.global.locale.value = next
  localStorage.setItem('xt.lang', next === 'en' ? 'en' : 'zh')
  document.documentElement.lang = next
}

export function isEnglish(): boolean {
  return i18n.global.locale.value === 'en'
}
