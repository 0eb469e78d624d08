import { performance } from 'node:perf_hooks'
import { accessKeyFromMrz } from '../../src/main/services/idcard/access-keys'
import { createCardEmulator } from '../../src/main/services/idcard/emulator/card-emulator'
import { readCard, type CardChannel, type CardStatistics } from '../../src/main/services/idcard/reader'
import { SAMPLE_MRZ, sampleProfile } from '../helpers/idcard-card'
import { figure, ms, percentile } from './stats'

const RUNS = 30
/**
 * Per-APDU cost besides the bytes, for the modelled air time: ISO 14443-4 framing (PCB and CRC, 3 bytes each way),
 * and a fixed 3 ms for the USB CCID round trip to the reader (~1 ms) plus the card's turnaround and secure-messaging
 * work (~2 ms; real chips vary, the cards' own timing is not public).
 */
const FRAME_BYTES_PER_DIRECTION = 3
const PER_APDU_OVERHEAD_MS = 3
const RATES_KBIT = [106, 424]

interface ReadTiming {
  statistics: CardStatistics
  /** Time in reader.ts and the ICAO core: the whole read minus the emulator's answers. */
  hostMs: number
}

async function timedRead(options: { extendedLength: boolean }): Promise<ReadTiming> {
  const card = createCardEmulator(await sampleProfile())
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
  const { statistics } = await readCard(channel, { accessKeys: [accessKeyFromMrz(SAMPLE_MRZ)], extendedLength: options.extendedLength })
  return { statistics, hostMs: performance.now() - start - cardMs }
}

function modelledAirMs({ apdus, bytesSent, bytesReceived }: CardStatistics, rateKbit: number): number {
  const wireBytes = bytesSent + bytesReceived + 2 * FRAME_BYTES_PER_DIRECTION * apdus
  return (wireBytes * 8) / rateKbit + apdus * PER_APDU_OVERHEAD_MS
}

/** A full read of the sample card (5 kB face; real faces are 15-25 kB): APDUs, bytes, host time and modelled air time. */
export async function benchIdCard(): Promise<void> {
  for (const extendedLength of [false, true]) {
    const label = extendedLength ? 'extended' : 'short (223 B)'
    await timedRead({ extendedLength }) // warm-up
    const runs: ReadTiming[] = []
    for (let run = 0; run < RUNS; run++) runs.push(await timedRead({ extendedLength }))
    const { statistics } = runs[0]!
    const hostTimes = runs.map((run) => run.hostMs)
    figure(`idcard read, ${label}: APDUs`, String(statistics.apdus))
    figure(`idcard read, ${label}: bytes sent / recv`, `${statistics.bytesSent} / ${statistics.bytesReceived}`)
    figure(`idcard read, ${label}: host time p50`, ms(percentile(hostTimes, 50)))
    figure(`idcard read, ${label}: host time p95`, ms(percentile(hostTimes, 95)))
    for (const rate of RATES_KBIT) figure(`idcard read, ${label}: modelled at ${rate} kbit/s`, ms(modelledAirMs(statistics, rate)))
  }
}
