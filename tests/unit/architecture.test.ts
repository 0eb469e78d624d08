import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../helpers/browser-mode-host'

interface ImportLine {
  readonly file: string
  readonly specifier: string
  readonly typeOnly: boolean
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : []
  })
}

const imports: ImportLine[] = sourceFiles(join(PROJECT_ROOT, 'src')).flatMap((path) => {
  const file = relative(PROJECT_ROOT, path)
  const text = readFileSync(path, 'utf8')
  return [...text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(['"]([^'"]+)['"]\)/gm)].map((match) => {
    const specifier = match[3] ?? match[4] ?? match[5]!
    const resolved = specifier.startsWith('.') ? relative(PROJECT_ROOT, resolve(path, '..', specifier)) : specifier
    return { file, specifier: resolved, typeOnly: match[2] !== undefined }
  })
})

const importsOf = (folder: string) => imports.filter((line) => line.file.startsWith(folder))
const violations = (lines: ImportLine[], forbidden: (specifier: string) => boolean) =>
  lines.filter((line) => forbidden(line.specifier)).map((line) => `${line.file} -> ${line.specifier}`)

describe('layering: each layer imports only from the layers below it', () => {
  it('finds the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(50)
  })

  it('src/shared is pure: no Node, no Electron, no browser store, no other layer', () => {
    expect(violations(importsOf('src/shared/'), (s) => s.startsWith('node:') || ['electron', 'dexie', 'react', 'ws'].includes(s) || (s.startsWith('src/') && !s.startsWith('src/shared/')))).toEqual([])
  })

  it('opencv.js is the one package src/shared may load besides zod, and only the page pipeline (src/shared/capture) loads it', () => {
    const loaders = imports.filter((line) => line.specifier === '@techstark/opencv-js').map((line) => line.file)
    expect(loaders.length).toBeGreaterThan(0)
    expect(loaders.filter((file) => !file.startsWith('src/shared/capture/'))).toEqual([])
  })

  it('the renderer reaches main only through the contract: no Node, no Electron, no main/host/cli code', () => {
    expect(violations(importsOf('src/renderer/'), (s) => s.startsWith('node:') || s === 'electron' || /^src\/(main|host|cli|relay|preload)\//.test(s))).toEqual([])
  })

  it('the service layer is plain Node: no Electron, and nothing from the adapters above it', () => {
    expect(violations(importsOf('src/main/services/'), (s) => s === 'electron' || /^src\/(renderer|host|cli|preload)\//.test(s) || (s.startsWith('src/main/') && !/^src\/main\/services(\/|$)/.test(s)))).toEqual([])
  })

  it('the relay is plain Node below the service layer: src/shared, node: and npm packages only, never Electron', () => {
    expect(importsOf('src/relay/').length).toBeGreaterThan(10)
    expect(violations(importsOf('src/relay/'), (s) => s === 'electron' || (s.startsWith('src/') && !/^src\/(relay|shared)\//.test(s)))).toEqual([])
  })

  it('the web host and the CLI never load Electron or the renderer', () => {
    const adapters = [...importsOf('src/host/'), ...importsOf('src/cli/')]
    expect(violations(adapters, (s) => s === 'electron' || s.startsWith('src/renderer/') || s.startsWith('src/preload/') || /^src\/main\/(?!services(\/|$))/.test(s))).toEqual([])
  })

  it('the preload sees only Electron and the shared contract', () => {
    expect(violations(importsOf('src/preload/'), (s) => !(s === 'electron' || s.startsWith('src/shared/') || s.startsWith('src/preload/')))).toEqual([])
  })

  it('only the two Electron entry points load the electron module at run time; the rest of main uses its types', () => {
    const runtime = imports.filter((line) => line.specifier === 'electron' && !line.typeOnly).map((line) => line.file)
    expect(runtime.sort()).toEqual(['src/main/index.ts', 'src/preload/index.ts'])
  })
})
