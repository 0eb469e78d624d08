import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { RELAY_ENDPOINTS } from '../../../src/relay/server'
import { SYNC_ERROR_CODES } from '../../../src/shared/sync/protocol'
import { PROJECT_ROOT } from '../../helpers/browser-mode-host'

interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, unknown>>
  components: { schemas: { ErrorCode: { enum: string[] } } }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

describe('docs/sync-openapi.yaml is honest about the server', () => {
  const document = parseYaml(readFileSync(join(PROJECT_ROOT, 'docs/sync-openapi.yaml'), 'utf8')) as OpenApiDocument

  it('parses as OpenAPI 3.1', () => {
    expect(document.openapi).toMatch(/^3\.1\./)
  })

  it('lists exactly the paths and methods the server routes', () => {
    const documented = Object.entries(document.paths)
      .flatMap(([path, item]) => Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`))
      .sort()
    const routed = RELAY_ENDPOINTS.flatMap((endpoint) => endpoint.methods.map((method) => `${method} ${endpoint.path}`)).sort()
    expect(documented).toEqual(routed)
  })

  it('names every error code of the protocol', () => {
    expect([...document.components.schemas.ErrorCode.enum].sort()).toEqual([...SYNC_ERROR_CODES].sort())
  })
})
