import { describe, expect, test } from "bun:test"
import { parseCommandLine } from "../../lib/cli/parse-command-line.ts"
import { checkAddressOwnership, findSharedAddresses } from "../../lib/config/address-ownership.ts"
import { ZEUS_COMMAND } from "../../lib/config/apps.ts"
import { ConfigError, loadConfig } from "../../lib/config/load-config.ts"
import { findClientWeight, INVALID_CLIENT, parseClientWeights, readClientTag, UNTAGGED_CLIENT } from "./client-weights.ts"
import { createNetworkFilter, parseNetworks } from "./networks.ts"

describe("zeus's settings (the zeus section of the shared config)", () => {
  const parse = (argv: string[], env: Record<string, string> = {}) => {
    const parsed = parseCommandLine(ZEUS_COMMAND, argv, env)
    if (parsed.help) throw new Error("unexpected --help")
    return parsed
  }

  test("defaults: port 7777, metrics 8082, loopback only, default route", () => {
    const { config } = parse([])
    expect(config.ZEUS_PORT).toBe(7777)
    expect(config.ZEUS_METRICS_PORT).toBe(8082)
    expect(config.ZEUS_ALLOWED_NETWORKS).toBe("127.0.0.0/8,::1/128")
    expect(config.ZEUS_SOURCE_ADDRESSES).toEqual([])
    expect(config.ZEUS_CLIENT_WEIGHTS).toBeNull()
  })

  test("flags win over the environment; an unknown flag is a usage error", () => {
    const { config } = parse(["--port", "9000", "--source-addresses=127.0.0.2,127.0.0.3", "--metrics-port", "0"], {
      ZEUS_PORT: "8000",
      ZEUS_SOURCE_ADDRESSES: "10.0.0.1",
    })
    expect(config.ZEUS_PORT).toBe(9000)
    expect(config.ZEUS_SOURCE_ADDRESSES).toEqual(["127.0.0.2", "127.0.0.3"])
    expect(config.ZEUS_METRICS_PORT).toBe(0)
    expect(() => parse(["--frobnicate"])).toThrow(/--frobnicate/)
  })

  test("every bad value is reported at once, naming key and value", () => {
    let error: unknown
    try {
      parse(["--source-addresses", "127.0.0.2,nope"], { ZEUS_PORT: "seventy", ZEUS_ALLOWED_NETWORKS: "10.0.0.0/99x" })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const text = (error as ConfigError).issues.map((i) => `${i.key}=${i.value}: ${i.reason}`).join("\n")
    expect((error as ConfigError).issues).toHaveLength(3)
    expect(text).toContain('ZEUS_PORT="seventy"')
    expect(text).toContain("ZEUS_ALLOWED_NETWORKS")
    expect(text).toContain("ZEUS_SOURCE_ADDRESSES (--source-addresses)")
  })

  test("one source address, two owners: refused whichever app loads its settings", () => {
    const env = { ATLAS_SOURCE_ADDRESSES: "127.0.0.2,127.0.0.3", ZEUS_SOURCE_ADDRESSES: "127.0.0.3,127.0.0.4" }
    expect(() => parse([], env)).toThrow(/127\.0\.0\.3 is given to both atlas and zeus/)
    expect(() => loadConfig(["shared", "atlas"], env)).toThrow(/ATLAS_SOURCE_ADDRESSES \/ ZEUS_SOURCE_ADDRESSES/)
    expect(() => loadConfig(["shared", "hermes"], env)).not.toThrow()
  })
})

describe("allowed networks", () => {
  test("CIDR blocks and bare addresses, IPv4 and IPv6, with IPv4-mapped IPv6 peers", () => {
    const allowed = createNetworkFilter(parseNetworks("127.0.0.0/8, 10.1.0.0/16, ::1/128, fd00::/8, 192.168.1.7"))
    for (const ip of ["127.0.0.1", "127.9.9.9", "10.1.255.3", "::1", "fd12::3", "::ffff:127.0.0.1", "192.168.1.7"]) {
      expect(allowed(ip)).toBe(true)
    }
    for (const ip of ["10.2.0.1", "192.168.1.8", "8.8.8.8", "2001:db8::1", "::ffff:8.8.8.8", "", null, "garbage"]) {
      expect(allowed(ip)).toBe(false)
    }
  })

  test("malformed lists are refused", () => {
    expect(() => parseNetworks("")).toThrow(/no network/)
    expect(() => parseNetworks("10.0.0.0/33")).toThrow(/prefix/)
    expect(() => parseNetworks("::1/129")).toThrow(/prefix/)
    expect(() => parseNetworks("10.0.0.0/8x")).toThrow()
    expect(() => parseNetworks("example.com/8")).toThrow(/not an IP/)
  })
})

describe("caller tags and weights", () => {
  test("a tag's weight covers its sub-tags, the longest listed prefix winning", () => {
    const weights = parseClientWeights("atlas=4, hermes=2, hermes/player_crawl=0.5")
    expect(findClientWeight(weights, "atlas")).toBe(4)
    expect(findClientWeight(weights, "atlas/fetcher-1")).toBe(4)
    expect(findClientWeight(weights, "hermes/clan_crawl")).toBe(2)
    expect(findClientWeight(weights, "hermes/player_crawl")).toBe(0.5)
    expect(findClientWeight(weights, "hades")).toBe(1)
    expect(findClientWeight(new Map(), "anything")).toBe(1)
  })

  test("bad weight lists are refused", () => {
    expect(() => parseClientWeights("atlas=0")).toThrow(/weight of atlas/)
    expect(() => parseClientWeights("atlas=2,atlas=3")).toThrow(/twice/)
    expect(() => parseClientWeights("=3")).toThrow(/tag/)
    expect(parseClientWeights(null).size).toBe(0)
  })

  test("missing and malformed tags get their own flows", () => {
    expect(readClientTag(null)).toBe(UNTAGGED_CLIENT)
    expect(readClientTag("")).toBe(UNTAGGED_CLIENT)
    expect(readClientTag("hermes/player_crawl")).toBe("hermes/player_crawl")
    expect(readClientTag("has spaces")).toBe(INVALID_CLIENT)
    expect(readClientTag("x".repeat(65))).toBe(INVALID_CLIENT)
  })
})

describe("source address ownership (atlas vs zeus)", () => {
  test("the same address in both, in any spelling, is refused naming it", () => {
    expect(findSharedAddresses(["2001:db8::1", "127.0.0.2"], ["2001:0db8:0:0::0001", "127.0.0.3"])).toEqual(["2001:db8::1"])
    expect(findSharedAddresses(["::ffff:10.0.0.1"], ["10.0.0.1"])).toEqual(["10.0.0.1"])
    const issues = checkAddressOwnership(["127.0.0.2", "127.0.0.3"], ["127.0.0.3", "127.0.0.4"])
    expect(issues).toHaveLength(1)
    expect(issues[0]!.key).toBe("ATLAS_SOURCE_ADDRESSES / ZEUS_SOURCE_ADDRESSES")
    expect(issues[0]!.reason).toContain("127.0.0.3")
  })

  test("disjoint lists (and empty ones) pass", () => {
    expect(checkAddressOwnership(["127.0.0.2"], ["127.0.0.3"])).toEqual([])
    expect(checkAddressOwnership([], [])).toEqual([])
  })
})
