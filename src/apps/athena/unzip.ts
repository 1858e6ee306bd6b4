/**
 * Reads the one file of a ZIP archive in memory (Bungie's world content download is a zip holding
 * one SQLite database): the central directory names the entry, its method (stored or deflate)
 * and sizes; the data follows the local header. Anything else (zip64, encryption, several
 * entries) is refused with a reason rather than half-read.
 */
import { inflateRawSync } from "node:zlib"

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

export interface ZipEntry {
  name: string
  data: Uint8Array
}

export function readSingleZipEntry(zip: Uint8Array): ZipEntry {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  let eocd = -1
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error("not a zip archive (no end of central directory)")
  const entries = view.getUint16(eocd + 10, true)
  if (entries !== 1) throw new Error(`expected one file in the archive, found ${entries}`)
  const central = view.getUint32(eocd + 16, true)
  if (central + 46 > zip.length || view.getUint32(central, true) !== CENTRAL) throw new Error("corrupt central directory")
  const flags = view.getUint16(central + 8, true)
  if (flags & 1) throw new Error("encrypted zip entries are not supported")
  const method = view.getUint16(central + 10, true)
  const compressedSize = view.getUint32(central + 20, true)
  const size = view.getUint32(central + 24, true)
  const nameLength = view.getUint16(central + 28, true)
  const localOffset = view.getUint32(central + 42, true)
  if (compressedSize === 0xffffffff || localOffset === 0xffffffff) throw new Error("zip64 archives are not supported")
  const name = new TextDecoder().decode(zip.subarray(central + 46, central + 46 + nameLength))
  if (view.getUint32(localOffset, true) !== LOCAL) throw new Error("corrupt local header")
  const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true)
  const raw = zip.subarray(dataStart, dataStart + compressedSize)
  if (raw.length !== compressedSize) throw new Error("truncated archive")
  let data: Uint8Array
  if (method === 0) data = raw
  else if (method === 8) data = new Uint8Array(inflateRawSync(raw))
  else throw new Error(`unsupported compression method ${method}`)
  if (data.length !== size) throw new Error(`entry ${name}: expected ${size} bytes, got ${data.length}`)
  return { name, data }
}
