import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { accessKeyFromMrz } from '../../src/main/services/idcard/access-keys'
import { DEFAULT_PACE_INFO, createCardEmulator, type CardEmulatorOptions } from '../../src/main/services/idcard/emulator/card-emulator'
import { encodeCommandApdu } from '../../src/main/services/idcard/icao/apdu'
import { establishPace, paceParameters } from '../../src/main/services/idcard/icao/pace'
import { readCard, type CardAccessKey, type CardChannel, type CardStatistics } from '../../src/main/services/idcard/reader'
import { SAMPLE_CAN, SAMPLE_MRZ, sampleProfile } from '../helpers/idcard-card'
import { figure, ms, percentile } from './stats'

const RUNS = 30
/**
 * Per-APDU cost besides the bytes, for the modelled air time: ISO 14443-4 framing (PCB and CRC, 3 bytes each way),
 * and a fixed 3 ms for the USB CCID round trip to the reader (~1 ms) plus the card's turnaround and secure-messaging
 * work (~2 ms; real chips vary, the cards' own timing is not public). A real chip's own PACE work (two scalar
 * multiplications on its coprocessor, typically 50-150 ms per step) is not in this model.
 */
const FRAME_BYTES_PER_DIRECTION = 3
const PER_APDU_OVERHEAD_MS = 3
const RATES_KBIT = [106, 424]

interface ReadTiming {
  statistics: CardStatistics
  /** Time in reader.ts and the ICAO core: the whole read minus the emulator's answers. */
  hostMs: number
}

/** Runs `work` against a fresh emulator, timing the host side only (the emulator's own time is taken out). */
async function timedAgainstCard<T>(options: CardEmulatorOptions, work: (channel: CardChannel) => Promise<T>): Promise<{ result: T; hostMs: number }> {
  const card = createCardEmulator(await sampleProfile(), options)
  let cardMs = 0
  const channel: CardChannel = {
    transmit: async (apdu) => {
      const start = performance.now()
      const response = card.transmit(apdu)
      cardMs += performance.now() - start
      return response
    },
  }
  const start = performance.now()
  const result = await work(channel)
  return { result, hostMs: performance.now() - start - cardMs }
}

async function timedRead(card: CardEmulatorOptions, accessKey: CardAccessKey, extendedLength: boolean): Promise<ReadTiming> {
  const { result, hostMs } = await timedAgainstCard(card, (channel) => readCard(channel, { accessKeys: [accessKey], extendedLength }))
  return { statistics: result.statistics, hostMs }
}

function modelledAirMs({ apdus, bytesSent, bytesReceived }: CardStatistics, rateKbit: number): number {
  const wireBytes = bytesSent + bytesReceived + 2 * FRAME_BYTES_PER_DIRECTION * apdus
  return (wireBytes * 8) / rateKbit + apdus * PER_APDU_OVERHEAD_MS
}

const READS: readonly { label: string; card: CardEmulatorOptions; accessKey: () => CardAccessKey }[] = [
  { label: 'BAC (MRZ)', card: { pace: false }, accessKey: () => accessKeyFromMrz(SAMPLE_MRZ) },
  { label: 'PACE (CAN)', card: {}, accessKey: () => ({ can: SAMPLE_CAN }) },
]

/**
 * A full read of the sample card (5 kB face; real faces are 15-25 kB), by BAC and by PACE, each with Active
 * Authentication: APDUs, bytes, host time and modelled air time; then PACE's own handshake on the host.
 */
export async function benchIdCard(): Promise<void> {
  for (const { label: protocol, card, accessKey } of READS) {
    for (const extendedLength of [false, true]) {
      const label = `${protocol}, ${extendedLength ? 'extended' : 'short (223 B)'}`
      await timedRead(card, accessKey(), extendedLength) // warm-up
      const runs: ReadTiming[] = []
      for (let run = 0; run < RUNS; run++) runs.push(await timedRead(card, accessKey(), extendedLength))
      const { statistics } = runs[0]!
      const hostTimes = runs.map((run) => run.hostMs)
      figure(`idcard read, ${label}: APDUs`, String(statistics.apdus))
      figure(`idcard read, ${label}: bytes sent / recv`, `${statistics.bytesSent} / ${statistics.bytesReceived}`)
      figure(`idcard read, ${label}: host time p50`, ms(percentile(hostTimes, 50)))
      figure(`idcard read, ${label}: host time p95`, ms(percentile(hostTimes, 95)))
      for (const rate of RATES_KBIT) figure(`idcard read, ${label}: modelled at ${rate} kbit/s`, ms(modelledAirMs(statistics, rate)))
    }
  }
  await benchPaceHandshake()
}

/** The terminal's PACE alone (MSE:Set AT and four GENERAL AUTHENTICATE): its EC work is most of PACE's host cost. */
async function benchPaceHandshake(): Promise<void> {
  const parameters = paceParameters(DEFAULT_PACE_INFO)!
  const handshake = (channel: CardChannel) =>
    establishPace(
      async (command) => {
        const response = await channel.transmit(encodeCommandApdu(command))
        return { data: response.subarray(0, -2), sw: response.readUInt16BE(response.length - 2) }
      },
      parameters,
      { can: SAMPLE_CAN },
      randomBytes,
    )
  await timedAgainstCard({}, handshake) // warm-up
  const hostTimes: number[] = []
  for (let run = 0; run < RUNS; run++) hostTimes.push((await timedAgainstCard({}, handshake)).hostMs)
  figure('PACE handshake (brainpoolP256r1), host p50', ms(percentile(hostTimes, 50)))
  figure('PACE handshake (brainpoolP256r1), host p95', ms(percentile(hostTimes, 95)))
}
