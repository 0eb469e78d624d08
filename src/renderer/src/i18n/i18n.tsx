import { createContext, useContext, type ReactNode } from 'react'
import type { Language } from '../../../shared/contract/schemas'
import { en, vi, type MessageKey } from './messages'

const catalogs: Record<Language, Record<MessageKey, string>> = { vi, en }

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

export function translator(language: Language): Translate {
  const catalog = catalogs[language]
  return (key, params) => {
    const template = catalog[key] ?? vi[key]
    return params ? template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match)) : template
  }
}

const I18nContext = createContext<{ language: Language; t: Translate }>({ language: 'vi', t: translator('vi') })

export function I18nProvider({ language, children }: { language: Language; children: ReactNode }) {
  return <I18nContext.Provider value={{ language, t: translator(language) }}>{children}</I18nContext.Provider>
}

export function useI18n(): { language: Language; t: Translate } {
  return useContext(I18nContext)
}
