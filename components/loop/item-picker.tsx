"use client";

import type { LoopProgress } from "@/lib/engine/ports";

/**
 * The item controls on a loop: which item's state the body shows (an index, or the first failed
 * one), the live counter, and "Retry failed items" on a finished loop with failures.
 */
export function LoopItemControls({
  loopId,
  progress,
  index,
  onPick,
  firstFailed,
  onRetryFailed,
}: {
  loopId: string;
  progress: LoopProgress | undefined;
  index: number;
  onPick: (index: number) => void;
  firstFailed: number | undefined;
  /** Shown when set (a finished loop with failures). */
  onRetryFailed?: () => void;
}) {
  const total = progress?.total;
  return (
    <div className="loop-items nodrag nopan" data-testid={`loop-items-${loopId}`}>
      {progress ? (
        <div
          className="loop-progress"
          data-testid={`loop-progress-${loopId}`}
          data-done={progress.done}
          data-failed={progress.failed}
          data-total={progress.total}
        >
          <span className="loop-count">
            {progress.done} / {progress.total}
            {progress.failed > 0 ? <span className="loop-failed"> · {progress.failed} failed</span> : null}
          </span>
          <span className="loop-bar" aria-hidden="true">
            <span
              className="loop-fill"
              style={{
                width: `${progress.total === 0 ? 100 : Math.round((progress.done / progress.total) * 100)}%`,
              }}
            />
          </span>
        </div>
      ) : null}
      <label className="loop-pick">
        <span>Item</span>
        <input
          type="number"
          min={0}
          max={total !== undefined && total > 0 ? total - 1 : undefined}
          value={index}
          aria-label={`Item of ${loopId} to show`}
          data-testid={`loop-item-${loopId}`}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (Number.isFinite(n)) onPick(n);
          }}
        />
      </label>
      {firstFailed !== undefined ? (
        <button
          type="button"
          className="loop-btn"
          data-testid={`loop-first-failed-${loopId}`}
          onClick={() => onPick(firstFailed)}
        >
          First failed
        </button>
      ) : null}
      {onRetryFailed ? (
        <button
          type="button"
          className="loop-btn is-primary"
          data-testid={`loop-retry-failed-${loopId}`}
          onClick={onRetryFailed}
        >
          Retry failed items
        </button>
      ) : null}
    </div>
  );
}
