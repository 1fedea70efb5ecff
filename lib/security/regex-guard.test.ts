import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { findUnsafeRegex, unsafeRegexReason } from "./regex-guard";

describe("unsafeRegexReason", () => {
  it.each([
    "(a+)+",
    "^(a+)+$",
    "(a*)*",
    "(\\w+\\s?)+$",
    "((ab)*c)+",
    "(a{1,})+",
    "(?:x+y?)*",
    "(a+){2,}",
    "(.*a){12}",
    "((a+)b)*",
    "(a)\\1",
    "(?<x>a)\\k<x>",
    "([a-z]+)*@",
    "(a|a)+",
    "^(a|a)*$",
    "(\\w|\\d)+",
    "(a|ab|b)+",
    "((a|ab|b)c)+",
    "(?:x|y|.)*",
    "([a-z]|q)+",
    "(\\s|\\u00a0)+",
    "(?<n>ab|a)+",
    "(a|(b))+",
  ])("refuses %s", (source) => {
    expect(unsafeRegexReason(source)).toBeDefined();
  });

  it("compares alternatives case-insensitively under the i flag", () => {
    expect(unsafeRegexReason("(A|a)+")).toBeUndefined();
    expect(unsafeRegexReason("(A|a)+", "i")).toMatch(/alternatives/);
    expect(unsafeRegexReason("(Ab|a)+", "i")).toMatch(/alternatives/);
  });

  it.each([
    "a+b+",
    "(ab)+",
    "[a-z]+@[a-z]+\\.com",
    "^\\d{3}-\\d{4}$",
    "(a|b)*",
    "(\\.\\d+)?",
    "(\\d+)?x",
    "[(+*)]+",
    "\\(a+\\)+",
    "(a+)(b+)",
    "(ab){2}",
    "colou?r",
    "(ab|ac)+",
    "(https?|ftp)://",
    "(foo|bar)+",
    "(\\d|[a-f])+",
    "(,|;)+",
    "(a|a)b",
    "(\\.|[^.])?x",
    "(?:cat|dog)(?:s|es)*",
  ])("accepts %s", (source) => {
    expect(unsafeRegexReason(source)).toBeUndefined();
  });
});

describe("findUnsafeRegex", () => {
  it("finds a regex anywhere in a JSONata expression", () => {
    const ast = jsonata("$map(items, function($v) { $contains($v.name, /^(a+)+$/) })").ast();
    expect(findUnsafeRegex(ast)).toMatch(/nested repetition/);
    expect(findUnsafeRegex(jsonata("$match(s, /^[a-z]+$/i)").ast())).toBeUndefined();
    expect(findUnsafeRegex(jsonata("$replace(s, /(x|X)+/i, '-')").ast())).toMatch(/alternatives/);
    expect(findUnsafeRegex(jsonata("$replace(s, /(x|X)+/, '-')").ast())).toBeUndefined();
  });
});
