import { isCccdQrShaped, sexOf, splitCccdQr } from './cccd-qr'

/** Shown to the technician when a scan looks mangled by a scanner in keyboard mode. */
export const WEDGE_MANGLED_MESSAGE_VI =
  'Máy quét đang ở chế độ bàn phím (USB HID) nên làm mất hoặc sai dấu tiếng Việt. ' +
  'Vui lòng chuyển máy quét sang chế độ cổng nối tiếp ảo (USB-COM / serial) theo hướng dẫn của hãng rồi quét lại.'

const REPLACEMENT_CHARACTER = '\uFFFD'
/** '?' standing for a letter: inside a word ("Nguy?n") or opening one ("?inh" for Đinh). */
const QUESTION_MARK_BEFORE_LETTER = /\?\p{L}/u
/** VIQR / VNI leftovers after a letter, possibly behind VNI digits: "Nguye^~n", "Nguyen6~". */
const DIACRITIC_MARK_AFTER_LETTER = /\p{L}\p{Nd}*[\^~`]/u
/**
 * VNI tone digits between a vowel (itself after a letter) and a letter: "Nguye6n", "Tra62n". House and lot
 * numbers ("K12", "Lô A2", "Tổ 5A") never have that shape.
 */
const VNI_DIGIT_INSIDE_WORD = /[a-z][aeiouy][1-9]+[a-z]/i
/** Links legitimately hold '?' before letters ("x.html?ma_thu_tuc=..."), so words with '/' or '=' are left out. */
const LINK_LIKE = /[/=]/
const NON_ASCII = /[^\x00-\x7F]/
/** Any Vietnamese syllable has a vowel; a written vowel is an ASCII one or a letter with a diacritic. */
const VOWEL = /[aeiouy]|[^\x00-\x7F]/i

/**
 * Whether a scan looks like a keyboard-wedge scanner mangled its Vietnamese letters, so the technician
 * should switch the scanner to USB-COM mode. The heuristic flags:
 * - U+FFFD anywhere;
 * - in any word that is not link-like: '?' before a letter, a VIQR mark (^ ~ `) after a letter, a VNI
 *   digit between a vowel and a letter;
 * - in a card QR: no non-ASCII character in name and address (every Vietnamese address has some
 *   diacritic: Phường, Xã, Thôn, Tổ, Đà Nẵng...), a name word of two or more letters without a vowel
 *   (a dropped letter: "Vn" for Văn), or a sex field starting with N that is not Nam or Nữ ("N?", "Nu").
 * A correct card QR trips none of these: it never holds U+FFFD, '?', '^', '~', '`' or digits inside a name.
 * Not caught: a lone trailing '?' ("L?" for Lê, indistinguishable from a question) in free text.
 */
export function looksMangledByWedge(text: string): boolean {
  if (text.includes(REPLACEMENT_CHARACTER)) return true
  const words = text.split(/[\s|,;]+/).filter((word) => !LINK_LIKE.test(word))
  if (words.some((word) => QUESTION_MARK_BEFORE_LETTER.test(word) || DIACRITIC_MARK_AFTER_LETTER.test(word) || VNI_DIGIT_INSIDE_WORD.test(word))) {
    return true
  }
  const card = isCccdQrShaped(text) ? splitCccdQr(text) : null
  if (!card) return false
  if (!NON_ASCII.test(card.fullName + card.address)) return true
  if (/^n/i.test(card.sex) && !sexOf(card.sex)) return true
  return card.fullName.split(/[^\p{L}\p{M}]+/u).some((word) => word.length >= 2 && !VOWEL.test(word))
}
