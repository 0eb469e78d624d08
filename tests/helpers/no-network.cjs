// Preloaded with NODE_OPTIONS="--require .../no-network.cjs" to prove a command works offline: every way out of
// the process (fetch, http, https, net, tls, dns) throws and is reported on stderr. Node runs --require preloads in
// worker threads too, so tesseract.js's worker is covered.
const { isMainThread } = require('node:worker_threads')

const where = isMainThread ? 'main thread' : 'worker thread'
function blocked(what) {
  return function () {
    const target = typeof arguments[0] === 'string' ? arguments[0] : JSON.stringify(arguments[0] && (arguments[0].href || arguments[0].host || arguments[0].port) || '')
    process.stderr.write(`NETWORK ATTEMPT (${where}): ${what} ${target}\n`)
    throw new Error(`Network access is blocked in this test: ${what}`)
  }
}

/** A Unix socket or Windows named pipe (tsx's own IPC, for one) is not the network: let it through. */
function allowingLocalSockets(original, what) {
  const block = blocked(what)
  return function (first) {
    const path = typeof first === 'string' && Number.isNaN(Number(first)) ? first : first && typeof first === 'object' ? first.path : undefined
    return path ? original.apply(this, arguments) : block.apply(this, arguments)
  }
}

globalThis.fetch = blocked('fetch')
for (const [moduleName, functions] of [
  ['node:http', ['request', 'get']],
  ['node:https', ['request', 'get']],
  ['node:net', ['connect', 'createConnection']],
  ['node:tls', ['connect']],
  ['node:dns', ['lookup', 'resolve', 'resolve4', 'resolve6']],
]) {
  const module = require(moduleName)
  for (const name of functions) {
    const what = `${moduleName.slice(5)}.${name}`
    module[name] = moduleName === 'node:net' ? allowingLocalSockets(module[name], what) : blocked(what)
  }
}
