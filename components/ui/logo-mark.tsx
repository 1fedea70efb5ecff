/** Braid's mark: three interlaced strands. */
export function LogoMark({ size = 26 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden>
      <rect width="32" height="32" rx="8" fill="#4f46e5" />
      <path d="M8 8c8 0 8 16 16 16" stroke="#c7d2fe" strokeWidth="3" fill="none" strokeLinecap="round" />
      <path d="M8 24c8 0 8-16 16-16" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" />
      <circle cx="16" cy="16" r="2.5" fill="#fff" />
    </svg>
  );
}
