// Minimal ZIP writer (one entry, "stored"): Bungie's world_sql_content download is a zip
// holding one SQLite file, and clients unzip it, so the sim serves the same container.

function crc32(data: Uint8Array): number {
  return Bun.hash.crc32(data) >>> 0
}

export function zipSingleFile(name: string, data: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name)
  const crc = crc32(data)
  const local = new DataView(new ArrayBuffer(30))
  local.setUint32(0, 0x04034b50, true)
  local.setUint16(4, 20, true)
  local.setUint16(8, 0, true) // method: stored
  local.setUint32(14, crc, true)
  local.setUint32(18, data.length, true)
  local.setUint32(22, data.length, true)
  local.setUint16(26, nameBytes.length, true)
  const central = new DataView(new ArrayBuffer(46))
  central.setUint32(0, 0x02014b50, true)
  central.setUint16(4, 20, true)
  central.setUint16(6, 20, true)
  central.setUint32(16, crc, true)
  central.setUint32(20, data.length, true)
  central.setUint32(24, data.length, true)
  central.setUint16(28, nameBytes.length, true)
  central.setUint32(42, 0, true) // local header offset
  const centralOffset = 30 + nameBytes.length + data.length
  const end = new DataView(new ArrayBuffer(22))
  end.setUint32(0, 0x06054b50, true)
  end.setUint16(8, 1, true)
  end.setUint16(10, 1, true)
  end.setUint32(12, 46 + nameBytes.length, true)
  end.setUint32(16, centralOffset, true)
  const out = new Uint8Array(centralOffset + 46 + nameBytes.length + 22)
  let at = 0
  for (const part of [
    new Uint8Array(local.buffer),
    nameBytes,
    data,
    new Uint8Array(central.buffer),
    nameBytes,
    new Uint8Array(end.buffer),
  ]) {
    out.set(part, at)
    at += part.length
  }
  return out
}
