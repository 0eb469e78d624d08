/** Text is stored NFC-normalised so that the same Vietnamese word always has the same bytes. */
export function toNfc(text: string): string {
  return text.normalize('NFC')
}

/** A search key: no diacritics, đ as d, lower case, single spaces ("Đăng ký" -> "dang ky"). */
export function toSearchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
}
