// Scans src/ with Electronegativity and fails on any HIGH or MEDIUM finding. Its CLI always exits
// 0 (and its published bin breaks with a current commander), so we run its scanner directly and
// judge the findings it returns (the same records its CSV and SARIF reports are made from).
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const scan = require('@doyensec/electronegativity')

const result = await scan({
  input: join(root, 'src'),
  // src/ holds no package.json, so say which Electron the checks should assume.
  electronVersionOverride: require('electron/package.json').version,
  customScan: [],
  excludeFromScan: [],
  isRelative: true,
  isVerbose: false,
  parserPlugins: [],
})

if (!Array.isArray(result?.issues) || result.atomicChecks < 10) {
  console.error('ELECTRONEGATIVITY DID NOT RUN ITS CHECKS: no findings list came back')
  process.exit(1)
}
for (const error of result.errors ?? []) console.error(`Electronegativity could not parse: ${JSON.stringify(error)}`)
for (const issue of result.issues) {
  console.log(`${issue.severity.name.padEnd(8)} ${issue.id.padEnd(28)} src/${issue.file}:${issue.location.line}  ${issue.description}`)
}
const blocking = result.issues.filter((issue) => issue.severity.name === 'HIGH' || issue.severity.name === 'MEDIUM')
console.log(`Electronegativity ${require('@doyensec/electronegativity/package.json').version}: ${result.atomicChecks} checks, ${result.issues.length} findings, ${blocking.length} HIGH or MEDIUM`)
if (blocking.length > 0 || (result.errors ?? []).length > 0) process.exitCode = 1
