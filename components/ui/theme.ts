"use client";

import { useSyncExternalStore } from "react";
import { THEME_STORAGE_KEY } from "./theme-script";

/** The user's choice: follow the system, or a fixed theme. */
export type ThemeChoice = "system" | "light" | "dark";

const CHANGE_EVENT = "braid-theme-change";

function readChoice(): ThemeChoice {
  const t = document.documentElement.dataset.theme;
  return t === "dark" || t === "light" ? t : "system";
}

/** Sets the theme choice: stored, applied on <html> and announced to every `useTheme`. */
export function setThemeChoice(choice: ThemeChoice): void {
  const root = document.documentElement;
  try {
    if (choice === "system") localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Storage may be unavailable (private mode): the choice lasts for this page.
  }
  if (choice === "system") delete root.dataset.theme;
  else root.dataset.theme = choice;
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  media.addEventListener("change", onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    media.removeEventListener("change", onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

function snapshot(): string {
  const choice = readChoice();
  const dark =
    choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  return `${choice}:${dark ? "dark" : "light"}`;
}

/** The theme choice and the theme in effect (the server renders "system" / "light"). */
export function useTheme(): { choice: ThemeChoice; resolved: "light" | "dark" } {
  const value = useSyncExternalStore(subscribe, snapshot, () => "system:light");
  const [choice, resolved] = value.split(":") as [ThemeChoice, "light" | "dark"];
  return { choice, resolved };
}
