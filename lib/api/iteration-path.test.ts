import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { iterationPathOrThrow } from "./iteration-path";

describe("iterationPathOrThrow", () => {
  it("reads an item index path of one to three levels", () => {
    expect(iterationPathOrThrow("7")).toEqual([7]);
    expect(iterationPathOrThrow("3.0.12")).toEqual([3, 0, 12]);
  });
  it.each(["", "x", "-1", "1.", "1..2", "1.2.3.4", "1234567"])(
    "refuses %j with a 400 naming path",
    (path) => {
      let caught: unknown;
      try {
        iterationPathOrThrow(path);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).status).toBe(400);
      expect((caught as AppError).message).toMatch(/^path:/);
    },
  );
});
