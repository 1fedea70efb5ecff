"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

/**
 * "Top-level only": hides the executions a parent's `workflow` node started (`?topLevel=true`).
 * Keeps the page's other filters and starts again from the newest page.
 */
export function TopLevelFilter({ checked }: { checked: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  return (
    <label className="row" style={{ gap: 6, fontSize: 13 }}>
      <input
        type="checkbox"
        checked={checked}
        data-testid="history-top-level"
        onChange={(e) => {
          const next = new URLSearchParams(search.toString());
          next.delete("before");
          if (e.target.checked) next.set("topLevel", "true");
          else next.delete("topLevel");
          const query = next.toString();
          router.push(query ? `${pathname}?${query}` : pathname);
        }}
      />
      Top-level only
    </label>
  );
}
