"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * "Top-level only": hides the executions a parent's `workflow` node started (`?topLevel=true`).
 * Keeps the page's other filters and starts again from the newest page.
 */
export function TopLevelFilter({ checked }: { checked: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  // Shown at once; the page's answer (a new `checked`) settles it.
  const [on, setOn] = useState(checked);
  useEffect(() => setOn(checked), [checked]);
  return (
    <label className="row" style={{ gap: 6, fontSize: 13 }}>
      <input
        type="checkbox"
        checked={on}
        data-testid="history-top-level"
        onChange={(e) => {
          setOn(e.target.checked);
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
