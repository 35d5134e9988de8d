// Bridge between the rehearsal (Python) and @cloud-copilot/iam-simulate: one JSON simulation per
// stdin line, one JSON answer per stdout line, in order. Usage: node iam_simulate.mjs <node_modules>
import { createRequire } from 'node:module'
import path from 'node:path'
import { createInterface } from 'node:readline'

const PACKAGE = '@cloud-copilot/iam-simulate'

function send(message) {
  process.stdout.write(JSON.stringify(message) + '\n')
}

// This file ships inside the Python package while node_modules lives at the project root, so the
// package is resolved from the directory Python names, never from this file's location.
const nodeModules = path.resolve(process.argv[2] ?? 'node_modules')
let simulator
try {
  const require = createRequire(path.join(nodeModules, 'iam_simulate_bridge.cjs'))
  simulator = require(require.resolve(PACKAGE, { paths: [nodeModules] }))
} catch (error) {
  send({ fatal: `cannot load ${PACKAGE} from ${nodeModules}: ${error.message}` })
  process.exit(3)
}
const { runSimulation, getDenialReasons, getGrantReasons } = simulator

async function answer(simulation) {
  const response = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    return { error: response.errors }
  }
  // A wildcard in the resource of an action with resource-level permissions makes the simulator
  // try every pattern and allow if any does; a real call always names its resource.
  if (response.resultType === 'wildcard') {
    return { error: { message: 'wildcard.resource' } }
  }
  const { analysis, ignoredContextKeys } = response.result
  return {
    result: response.overallResult,
    denials: getDenialReasons(analysis),
    grants: getGrantReasons(analysis),
    ignoredContextKeys: ignoredContextKeys ?? []
  }
}

send({ ready: true })
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
// Strictly one request at a time: Python waits for each answer before sending the next line.
for await (const line of lines) {
  if (!line.trim()) continue
  let id = null
  try {
    const request = JSON.parse(line)
    id = request.id
    send({ id, ...(await answer(request.simulation)) })
  } catch (error) {
    send({ id, error: { message: 'exception', detail: String(error?.stack ?? error) } })
  }
}
// stdin closed: the Python side is gone, so leave no orphan behind.
process.exit(0)
