import { describe, expect, test } from "bun:test"
import { STOP, skipString, skipValue, walkObject } from "./scan.ts"

describe("skipString / skipValue", () => {
  test("a quote after an even run of backslashes ends the string, after an odd run it does not", () => {
    const text = String.raw`"a\\" , "b\"c" ,`
    expect(skipString(text, 0)).toBe(5)
    expect(skipString(text, 8)).toBe(14)
    expect(skipString('"open', 0)).toBe(-1)
  })

  test("containers skip strings holding brackets; scalars stop at a delimiter; cut-off text is -1", () => {
    const text = '{"a":["]",{"b":"}"}],"c":1}x'
    expect(skipValue(text, 0)).toBe(text.length - 1)
    expect(skipValue("12.5e3,", 0)).toBe(6)
    expect(skipValue('{"a":[1,2', 0)).toBe(-1)
    expect(skipValue("12", 0)).toBe(-1)
  })
})

describe("walkObject", () => {
  test("visits members in order with their value starts, across whitespace", () => {
    const text = ' { "a" : 1 , "b":{"c":2} , "d" : "x" } '
    const seen: string[] = []
    const end = walkObject(text, 1, (key, at) => {
      seen.push(`${key}@${text[at]}`)
      return skipValue(text, at)
    })
    expect(seen).toEqual(["a@1", "b@{", 'd@"'])
    expect(end).toBe(text.length - 1)
  })

  test("STOP ends the walk early; a malformed object is -1", () => {
    expect(walkObject('{"a":1,"b":2}', 0, (key, at) => (key === "a" ? STOP : skipValue('{"a":1,"b":2}', at)))).toBe(STOP)
    expect(walkObject('{"a":1 "b":2}', 0, (_, at) => skipValue('{"a":1 "b":2}', at))).toBe(-1)
    expect(walkObject('{"a" 1}', 0, () => 0)).toBe(-1)
    expect(walkObject("[1]", 0, () => 0)).toBe(-1)
    expect(walkObject("{ }", 0, () => -1)).toBe(3)
  })
})
