import { describe, expect, it } from "vitest";
import { controlsFor } from "./execution-controls";

describe("controlsFor", () => {
  it.each([
    ["queued", ["pause", "cancel"]],
    ["running", ["pause", "cancel"]],
    ["waiting", ["pause", "cancel"]],
    ["paused", ["resume", "cancel"]],
    ["failed", ["retry"]],
    ["cancelled", ["retry"]],
    ["succeeded", []],
  ] as const)("%s offers %j", (status, controls) => {
    expect(controlsFor(status)).toEqual(controls);
  });
});
