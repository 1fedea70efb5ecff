"use client";

import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";

/** One row of a `SearchList`. */
export interface SearchItem {
  id: string;
  label: string;
  group?: string;
  detail?: ReactNode;
  icon?: ReactNode;
  shortcut?: string;
}

interface SearchListProps {
  items: readonly SearchItem[];
  query: string;
  onQuery(query: string): void;
  onPick(id: string): void;
  onClose(): void;
  placeholder: string;
  label: string;
  testId: string;
}

/**
 * A search box over a list, driven by the keyboard (↑ ↓ Enter Esc) or the mouse, as a combobox:
 * the command palette and the node picker both use it.
 */
export function SearchList({
  items,
  query,
  onQuery,
  onPick,
  onClose,
  placeholder,
  label,
  testId,
}: SearchListProps) {
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const listId = useId();
  const current = Math.min(active, Math.max(0, items.length - 1));

  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    list.current
      ?.querySelector<HTMLElement>(`[data-index="${current}"]`)
      ?.scrollIntoView({ block: "nearest" });
  }, [current]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((current + 1) % Math.max(1, items.length));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((current - 1 + items.length) % Math.max(1, items.length));
    } else if (e.key === "Enter") {
      e.preventDefault();
      const item = items[current];
      if (item) onPick(item.id);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };

  let lastGroup: string | undefined;
  return (
    <div className="bn-search" data-testid={testId}>
      <input
        ref={input}
        className="bn-search-input"
        value={query}
        onChange={(e) => {
          setActive(0);
          onQuery(e.target.value);
        }}
        onKeyDown={onKeyDown}
        placeholder={placeholder}
        aria-label={label}
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={items[current] ? `${listId}-${current}` : undefined}
        data-testid={`${testId}-input`}
        spellCheck={false}
        autoComplete="off"
      />
      <div className="bn-search-list" id={listId} role="listbox" aria-label={label} ref={list}>
        {items.length === 0 && <div className="bn-search-empty">Nothing matches “{query}”.</div>}
        {items.map((item, i) => {
          const header = item.group !== undefined && item.group !== lastGroup;
          lastGroup = item.group;
          return (
            <div key={item.id} role="presentation">
              {header && <div className="bn-search-group">{item.group}</div>}
              <div
                id={`${listId}-${i}`}
                role="option"
                tabIndex={-1}
                aria-selected={i === current}
                className={`bn-search-item${i === current ? " is-active" : ""}`}
                data-index={i}
                data-testid={`${testId}-item-${item.id}`}
                onMouseMove={() => i !== current && setActive(i)}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => onPick(item.id)}
                onKeyDown={onKeyDown}
              >
                {item.icon}
                <span className="bn-search-label">
                  <span>{item.label}</span>
                  {item.detail && <span className="bn-search-detail">{item.detail}</span>}
                </span>
                {item.shortcut && <kbd>{item.shortcut}</kbd>}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
