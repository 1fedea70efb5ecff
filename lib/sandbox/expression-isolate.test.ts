import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ExpressionScope,
  evaluateExpression,
  runsInProcess,
  setExpressionIsolate,
} from "@/lib/engine/expressions";
import { createPoolExpressionIsolate, neededScope } from "./expression-isolate";
import { SandboxPool } from "./pool";

const site = { nodeType: "transform", nodeId: "t1", field: "config.expression" };
const scope = (inputs: unknown): ExpressionScope => ({ inputs, nodes: {}, input: inputs });
let pool: SandboxPool;

beforeAll(() => {
  pool = new SandboxPool({ size: 1, warmCode: false, heapMb: 96 });
  setExpressionIsolate(createPoolExpressionIsolate(pool));
});
afterAll(async () => {
  setExpressionIsolate(undefined);
  await pool.close();
});

/** Counts the main loop's timer ticks while `work` is pending. */
async function ticksDuring(work: Promise<unknown>): Promise<{ ticks: number; outcome: unknown }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const outcome = await work.then(
    (v) => v,
    (e: unknown) => e,
  );
  clearInterval(timer);
  return { ticks, outcome };
}

describe("which expressions run in-process", () => {
  it.each([
    ["inputs.name", true],
    ['{"a": inputs.n * 2, "b": $string(nodes.x.body)}', true],
    ["$sum(items.price) > 10 ? 'big' : 'small'", true],
    ["$split(inputs.csv, ',')", true],
    ["$replace(inputs.s, 'a', 'b') & $uppercase(x)", true],
    ["items[price > 3].name", true],
    ["$split(inputs.csv, /\\s*,\\s*/)", false],
    ["$match(s, /\\d+/)", false],
    ["$map(items, function($v) { $v * 2 })", false],
    ["[1..100]", false],
    ["($f := $match; $f(s, /x/))", false],
    ["($f := $toMillis; $f(s))", false],
    ["$toMillis(s, '[Y0001]-[M01]-[D01]')", false],
    ["$distinct(items)", false],
    ["$formatNumber(n, '#,##0.00')", false],
    ["$ ~> |a|{'b': 1}|", false],
  ])("%s → %s", (source, inProcess) => {
    expect(runsInProcess(source)).toBe(inProcess);
  });
});

describe("neededScope: only what an expression can read is copied to the worker", () => {
  const full: ExpressionScope = {
    input: { a: 1 },
    inputs: { csv: "x,y" },
    nodes: { fetch: { body: "b" }, other: { big: "o" }, third: 3 },
    secrets: { token: "t" },
  };
  it.each([
    ["$split(inputs.csv, /,/)", { inputs: full.inputs }],
    ["$split(nodes.fetch.body, /,/)", { nodes: { fetch: full.nodes.fetch } }],
    [
      "$map(nodes.fetch.body, function($v) { $v & input.a })",
      { input: full.input, nodes: { fetch: full.nodes.fetch } },
    ],
    ["$match(secrets.token, /t/)", { secrets: full.secrets }],
    ["$string(nodes) ~> $split(/,/)", { nodes: full.nodes }],
    ["nodes[0] ~> $split(/,/)", { nodes: full.nodes }],
    ["$map($keys(nodes), function($k) { $lookup(nodes, $k) })", { nodes: full.nodes }],
    ["items[fetch = 1] ~> $match(/x/)", {}],
  ])("%s", (source, expected) => {
    const picked = neededScope(source, full);
    expect(Object.keys(picked).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expect(picked[k]).toEqual(v);
  });

  it.each([
    ["$keys($$) ~> $match(/x/)"],
    ["$.inputs ~> $match(/x/)"],
    ["**.body ~> $match(/x/)"],
    ["*.csv ~> $match(/x/)"],
  ])("%s may read anything: the whole scope", (source) => {
    expect(neededScope(source, full)).toBe(full);
  });
});

describe("expressions in the isolate", () => {
  it.each([
    ["$split(inputs.csv, /\\s*,\\s*/)", { csv: "a , b,c" }, ["a", "b", "c"]],
    ["$map(inputs.xs, function($v) { $v * 2 })", { xs: [1, 2, 3] }, [2, 4, 6]],
    ["$match(inputs.s, /(\\d+)/).groups[0]", { s: "order 42" }, "42"],
    ["$reduce([1..4], function($a, $v) { $a + $v })", {}, 10],
    ["inputs.missing.($ ~> /x/)", {}, undefined],
  ])("%s gives the same results as in-process", async (source, inputs, expected) => {
    expect(await evaluateExpression(source, scope(inputs), site)).toEqual(expected);
  });

  it("names the site in errors raised in the worker", async () => {
    await expect(evaluateExpression("$match(inputs.n, /x/)", scope({ n: 1 }), site)).rejects.toThrow(
      /transform "t1" config.expression "\$match\(inputs.n, \/x\/\)": .*argument/i,
    );
  });

  it.each([
    ["$split(inputs.s, /\\s*,\\s*/)", " ".repeat(60_000)],
    ["$match(inputs.s, /\\d*\\d*\\d*\\d*x/)", "1".repeat(200)],
  ])("%s on hostile input is killed while the main loop keeps ticking", async (source, s) => {
    const before = pool.started;
    const { ticks, outcome } = await ticksDuring(evaluateExpression(source, scope({ s }), site));
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toMatch(
      /transform "t1" config.expression .*ran past its 1000 ms limit/,
    );
    // A blocked main loop would tick once or not at all while the worker is being killed.
    expect(ticks).toBeGreaterThan(20);
    expect(pool.started).toBe(before + 1);
    expect(await evaluateExpression("$split(inputs.s, /,/)", scope({ s: "x,y" }), site)).toEqual(["x", "y"]);
  });

  it("bounds the heap an expression may build", async () => {
    const err = await evaluateExpression(
      '$reduce([1..40], function($acc, $v) { $append($acc, $acc) }, ["xxxxxxxxxxxxxxxxxxxxxxxx"])',
      scope({}),
      site,
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/\$append would build a list of \d+ items \(at most 1000000\)/);
    expect(await evaluateExpression("$map([1], function($v) { $v })", scope({}), site)).toEqual(1);
    // $append keeps its meaning below the bound.
    expect(await evaluateExpression("$append([1, 2], 3)", scope({}), site)).toEqual([1, 2, 3]);
    expect(
      await evaluateExpression(
        "$reduce([1..3], function($acc, $v) { $append($acc, $v) }, [])",
        scope({}),
        site,
      ),
    ).toEqual([1, 2, 3]);
  });
});
