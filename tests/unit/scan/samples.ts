/**
 * Card QRs of invented people (names, numbers and dates made up; the places are real Đà Nẵng and Gia Lai
 * addresses without house numbers of anyone). TODAY keeps the birth-date checks deterministic.
 */
export const TODAY = '2026-03-01'

/** 2021 CCCD, man born 1990 in Đà Nẵng (048), with an old 9-digit CMND. */
export const MAN_2021 = '048090012345|201234567|Nguyễn Văn Hùng|15031990|Nam|Tổ 12, Phường Hòa Minh, Quận Liên Chiểu, Đà Nẵng|10072021'

/** 2021 CCCD, woman born 2003, no old ID. */
export const WOMAN_2021 = '048303004567||Trần Thị Mỹ Duyên|22112003|Nữ|Kiệt 45/12 Lê Duẩn, Phường Hải Châu I, Quận Hải Châu, Thành phố Đà Nẵng|05062021'

/** 2024 thẻ căn cước: the leading seven fields, then a cancelled ID number and the parents' names. */
export const WOMAN_2024 =
  '048185007788|201987654|Lê Thị Hồng Nhung|07091985|Nữ|Thôn Phú Sơn, Xã Hòa Khương, Huyện Hòa Vang, Thành phố Đà Nẵng|15082024|048185000111|Lê Văn Tâm|Phạm Thị Lan'

/** A Jrai name with an apostrophe and no diacritic, from Gia Lai (064). */
export const JRAI_MAN_2021 = "064078001122||Ksor Y'Blang|03041978|Nam|Làng Ia Mơ Nông, Xã Ia Ka, Huyện Chư Păh, Gia Lai|20122021"

export const CORRECT_CARD_QRS = [MAN_2021, WOMAN_2021, WOMAN_2024, JRAI_MAN_2021]

/** The fields of a sample as an array, to build variants with one field changed. */
export function fieldsOf(qr: string): string[] {
  return qr.split('|')
}

export function withField(qr: string, index: number, value: string): string {
  const fields = fieldsOf(qr)
  fields[index] = value
  return fields.join('|')
}
