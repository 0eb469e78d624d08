import { vi } from 'vitest'
import type { OperationHandlers } from '../../src/shared/contract/dispatch'
import type { DeviceInfo, QueueSetup } from '../../src/shared/contract/schemas'
import { DEFAULT_APPOINTMENT_RULES } from '../../src/shared/domain/appointments/rules'
import { DEFAULT_QUEUE_RULES } from '../../src/shared/domain/queue/setup'

export function fakeDeviceInfo(): DeviceInfo {
  return {
    config: {
      deviceId: '3f1c2a9e-0000-4000-8000-000000000001',
      wardCode: '20242',
      roles: ['kiosk', 'counter', 'display', 'technician'],
      counterNumber: 1,
      counterCount: 3,
      ticketBlock: { index: 0, count: 1 },
      topology: 'standalone',
      language: 'vi',
      printer: { kind: 'none', paperWidth: 80 },
      scanner: {},
    },
    ward: { code: '20242', name: 'Hải Châu', fullName: 'Phường Hải Châu', type: 'Phường' },
    appVersion: '0.1.0',
    runtime: 'cli',
    notices: [],
  }
}

export const FAKE_SETUP: QueueSetup = {
  sample: true,
  fields: [{ id: 'ho-tich', name: 'Hộ tịch', nameEn: 'Civil status' }],
  services: [
    { id: 'ho-tich', fieldId: 'ho-tich', name: 'Hộ tịch', nameEn: 'Civil status', prefix: 'A' },
    { id: 'chung-thuc', fieldId: 'ho-tich', name: 'Chứng thực', nameEn: 'Certification', prefix: 'B' },
  ],
  counters: [],
  queueRules: DEFAULT_QUEUE_RULES,
  appointmentRules: DEFAULT_APPOINTMENT_RULES,
  calendarOverrides: { extraDaysOff: [], cancelledDaysOff: [], workingWeekendDays: [], nationalDayAdjacent: {} },
}

/** Handlers that answer with fixed data and record their calls. */
export function fakeHandlers(): { [K in keyof OperationHandlers]: OperationHandlers[K] & ReturnType<typeof vi.fn> } {
  return {
    getDeviceInfo: vi.fn(async () => fakeDeviceInfo()),
    updateDeviceConfig: vi.fn(async () => fakeDeviceInfo()),
    getQueueSetup: vi.fn(async () => FAKE_SETUP),
    listWards: vi.fn(async () => [fakeDeviceInfo().ward]),
    sealPersonalData: vi.fn(async () => ({ alg: 'A256GCM', kid: 'k1', iv: 'AAAAAAAAAAAAAAAA', ct: 'AAAA' })),
    openPersonalData: vi.fn(async () => ({ fields: {} })),
    printTicket: vi.fn(async () => ({ printer: 'none' })),
    getScannerStatus: vi.fn(async () => ({ state: 'none' })),
    readIdCard: vi.fn(async () => ({ status: 'failed', reason: 'noReader' })),
    getIdCardPresence: vi.fn(async () => ({ service: 'noService', readers: [] })),
    cancelIdCardRead: vi.fn(async () => ({ cancelled: false })),
    listDocumentScanners: vi.fn(async () => []),
    getDocumentScannerSources: vi.fn(async () => ({ sources: [], unreachable: [] })),
    addDocumentScanner: vi.fn(async () => {
      throw new Error('no scanner in fake services')
    }),
    removeDocumentScanner: vi.fn(async () => ({})),
    scanDocuments: vi.fn(async () => ({ jobId: '00000000-0000-4000-8000-000000000000' })),
    importPdfPages: vi.fn(async () => ({ jobId: '00000000-0000-4000-8000-000000000000', pages: 1 })),
    cancelDocumentScan: vi.fn(async () => ({ cancelled: false })),
    acknowledgeScanPage: vi.fn(async () => ({ acknowledged: false })),
  } as never
}
