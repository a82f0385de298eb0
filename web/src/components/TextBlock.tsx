import { displayValue } from "../format";

/** Text (JSON pretty-printed when it parses) in a scrollable block. */
export function TextBlock({ value, testId }: { value: unknown; testId?: string }) {
  if (value == null || value === "") return <p className="muted">—</p>;
  return (
    <pre className="text-block" data-testid={testId}>
      {displayValue(value)}
    </pre>
  );
}
