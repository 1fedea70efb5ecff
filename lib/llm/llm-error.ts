/** Why an LLM call failed; the engine records `code` on the node error. */
export type LlmErrorCode = "llm_config" | "llm_provider" | "llm_timeout" | "llm_invalid_json";

/** A failed LLM call, with a message fit for the execution log (never a key). */
export class LlmError extends Error {
  readonly code: LlmErrorCode;
  /** The provider's HTTP status, when it answered. */
  readonly status?: number;

  constructor(code: LlmErrorCode, message: string, status?: number) {
    super(message);
    this.name = "LlmError";
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}
