/** The product's mark and name, in the top bar and on the log-in pages. */
export function Brand({ className = "brand" }: { className?: string }) {
  return (
    <div className={className}>
      <span className="brand-mark" aria-hidden="true">
        ◆
      </span>
      Tracira
    </div>
  );
}
