const SHORTCUTS: [keys: string[], action: string][] = [
  [["a"], "Approve"],
  [["r"], "Reject"],
  [["j", "↓"], "Next"],
  [["k", "↑"], "Previous"],
  [["Enter", "o"], "Open detail"],
];

export function ShortcutLegend() {
  return (
    <ul className="shortcut-legend" aria-label="Keyboard shortcuts" data-testid="shortcut-legend">
      {SHORTCUTS.map(([keys, action]) => (
        <li key={action}>
          {keys.map((key, index) => (
            <span key={key}>
              {index > 0 ? " / " : null}
              <kbd>{key}</kbd>
            </span>
          ))}{" "}
          {action}
        </li>
      ))}
    </ul>
  );
}
