export interface Agency {
  readonly code: string
  readonly superior: string
  readonly name: string
  readonly place: string
}

/**
 * The receiving agency printed on the receipt and in the dossier code. Agency identifiers follow
 * QĐ 20/2020/QĐ-TTg as amended; until the city's list reaches the app, a ward's identifier is
 * made from the province code and the ward's own code (48.20242), marked as such in the notes.
 */
export function agencyOf(ward: { readonly code: string; readonly name: string; readonly fullName: string; readonly type: string }): Agency {
  return {
    code: `48.${ward.code}`,
    superior: `UBND ${ward.fullName.toLocaleUpperCase('vi')}`,
    name: `Trung tâm Phục vụ hành chính công ${ward.type.toLocaleLowerCase('vi')} ${ward.name}`,
    place: ward.name,
  }
}
