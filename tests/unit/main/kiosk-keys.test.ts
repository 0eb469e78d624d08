import { describe, expect, it } from 'vitest'
import { isKioskEscapeKey, type KeyInput } from '../../../src/main/kiosk-keys'

const key = (key: string, modifiers: Partial<KeyInput> = {}): KeyInput => ({ type: 'keyDown', key, control: false, meta: false, alt: false, shift: false, ...modifiers })

describe('kiosk key filter', () => {
  it.each([
    ['Alt+F4', key('F4', { alt: true })],
    ['Ctrl+W', key('w', { control: true })],
    ['Cmd+Q', key('q', { meta: true })],
    ['Ctrl+R', key('r', { control: true })],
    ['Ctrl+Shift+I', key('I', { control: true, shift: true })],
    ['F5', key('F5')],
    ['F11', key('F11')],
    ['F12', key('F12')],
    ['Ctrl+P', key('p', { control: true })],
    ['Ctrl+plus (zoom)', key('+', { control: true })],
    ['Alt+Left (back)', key('ArrowLeft', { alt: true })],
  ])('swallows %s', (_name, input) => {
    expect(isKioskEscapeKey(input)).toBe(true)
  })

  it.each([
    ['letters', key('a')],
    ['Vietnamese letters', key('ư')],
    ['Enter', key('Enter')],
    ['Backspace', key('Backspace')],
    ['digits', key('7')],
    ['a key release', { ...key('F4', { alt: true }), type: 'keyUp' }],
  ])('lets %s through', (_name, input) => {
    expect(isKioskEscapeKey(input)).toBe(false)
  })
})
