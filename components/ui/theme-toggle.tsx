"use client";

import { setThemeChoice, type ThemeChoice, useTheme } from "./theme";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "dark", dark: "light", light: "system" };
const LABEL: Record<ThemeChoice, string> = {
  system: "System theme",
  dark: "Dark theme",
  light: "Light theme",
};

/** Cycles the theme: system → dark → light → system. */
export function ThemeToggle() {
  const { choice, resolved } = useTheme();
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm theme-toggle"
      onClick={() => setThemeChoice(NEXT[choice])}
      aria-label={`${LABEL[choice]} (click for ${LABEL[NEXT[choice]].toLowerCase()})`}
      title={`${LABEL[choice]}: click for ${LABEL[NEXT[choice]].toLowerCase()}`}
      data-testid="theme-toggle"
      data-theme-choice={choice}
      data-theme-resolved={resolved}
    >
      <svg viewBox="0 0 16 16" width="15" height="15" aria-hidden="true">
        {choice === "system" ? (
          <>
            <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.4" />
            <path d="M8 2a6 6 0 0 1 0 12z" fill="currentColor" />
          </>
        ) : choice === "dark" ? (
          <path d="M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7z" fill="currentColor" />
        ) : (
          <>
            <circle cx="8" cy="8" r="3" fill="currentColor" />
            <path
              d="M8 1v2M8 13v2M1 8h2M13 8h2M3 3l1.4 1.4M11.6 11.6 13 13M3 13l1.4-1.4M11.6 4.4 13 3"
              stroke="currentColor"
              strokeWidth="1.4"
              strokeLinecap="round"
            />
          </>
        )}
      </svg>
    </button>
  );
}
