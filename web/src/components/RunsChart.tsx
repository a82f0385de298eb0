import { formatDay } from "../format";
import type { Overview } from "../trpc";

type Day = Overview["days"][number];

const SERIES = [
  { key: "passed", label: "Passed", className: "bar-pass" },
  { key: "flagged", label: "Flagged", className: "bar-flagged" },
  { key: "error", label: "Error", className: "bar-error" },
] as const;

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

/** A rounded-up axis maximum with three even ticks. */
function axisMax(max: number): number {
  if (max <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

function Legend() {
  return (
    <div className="chart-legend">
      {SERIES.map((series) => (
        <span key={series.key} className="legend-item">
          <span className={`legend-swatch ${series.className}`} />
          {series.label}
        </span>
      ))}
    </div>
  );
}

/** Runs per day, stacked by outcome (passed, flagged, error), hand-drawn in SVG. */
export function RunsChart({ days }: { days: Day[] }) {
  const max = axisMax(Math.max(0, ...days.map((day) => day.passed + day.flagged + day.error)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(4, slot * 0.62);
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  const labelEvery = Math.ceil(days.length / 10);

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Runs per day by outcome" data-testid="runs-chart">
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction}>
            <line className="chart-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * fraction)} y2={y(max * fraction)} />
            <text className="chart-axis" x={PAD.left - 6} y={y(max * fraction) + 4} textAnchor="end">
              {Math.round(max * fraction)}
            </text>
          </g>
        ))}
        {days.map((day, index) => {
          const x = PAD.left + index * slot + (slot - barWidth) / 2;
          let base = 0;
          return (
            <g key={day.date}>
              <title>{`${formatDay(day.date)}: ${day.runs} runs — ${day.passed} passed, ${day.flagged} flagged, ${day.error} error`}</title>
              {SERIES.map((series) => {
                const value = day[series.key];
                const top = y(base + value);
                const height = y(base) - top;
                base += value;
                return value > 0 ? (
                  <rect key={series.key} className={series.className} x={x} y={top} width={barWidth} height={height} />
                ) : null;
              })}
              {index % labelEvery === 0 ? (
                <text className="chart-axis" x={x + barWidth / 2} y={HEIGHT - 8} textAnchor="middle">
                  {formatDay(day.date)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <Legend />
    </figure>
  );
}
