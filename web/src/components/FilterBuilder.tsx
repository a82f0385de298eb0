import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import {
  columnOf,
  formatFilterValue,
  KEYED_PREFIXES,
  OPERATOR_LABELS,
  operatorsOf,
  parseValue,
  PLAIN_COLUMNS,
  takesValue,
  TRACE_FILTERS_MAX,
  type FilterColumn,
  type FilterOperator,
  type KeyedPrefix,
  type TypedFilter,
} from "../filter-columns";
import { trpc } from "../trpc";
import { Field } from "./Field";

/** A keyed column picked without its key yet: `metadata.`, `attributes.`, `evaluations.`. */
const keyedChoice = (prefix: KeyedPrefix) => `${prefix}.`;
const KEY_LABELS: Record<KeyedPrefix, string> = { metadata: "Metadata key", attributes: "Span attribute", evaluations: "Evaluation name" };

function Chips({ filters, onRemove }: { filters: TypedFilter[]; onRemove: (index: number) => void }) {
  return (
    <ul className="filter-chips" aria-label="Active filters">
      {filters.map((filter, index) => {
        const text = `${filter.column} ${OPERATOR_LABELS[filter.operator]} ${formatFilterValue(filter.value)}`.trim();
        return (
          <li key={`${index}-${text}`} className="filter-chip" data-testid="filter-chip">
            <span>{text}</span>
            <button type="button" aria-label={`Remove filter ${text}`} onClick={() => onRemove(index)}>
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function ValueInput({
  column,
  operator,
  value,
  onChange,
}: {
  column: FilterColumn;
  operator: FilterOperator;
  value: string;
  onChange: (value: string) => void;
}) {
  const list = operator === "in" || operator === "not_in";
  return (
    <Field label="Value">
      {(control) =>
        column.type === "enum" && !list ? (
          <select {...control} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="">Choose…</option>
            {column.values?.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        ) : column.type === "datetime" ? (
          <input {...control} type="datetime-local" value={value} onChange={(e) => onChange(e.target.value)} />
        ) : (
          <input
            {...control}
            type={column.type === "number" && !list ? "number" : "text"}
            step="any"
            placeholder={list ? "a, b, c" : column.type === "enum" ? column.values?.join(", ") : ""}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}

/**
 * Typed filters as chips of (column, operator, value), built from the search API's column catalogue; the
 * workspace's own evaluation names are offered as `evaluations.<name>` columns.
 */
export function FilterBuilder({ filters, onChange }: { filters: TypedFilter[]; onChange: (filters: TypedFilter[]) => void }) {
  const names = useQuery({ queryKey: ["evaluations.names"], queryFn: () => trpc.evaluations.names.query() });
  const [choice, setChoice] = useState("");
  const [key, setKey] = useState("");
  const [operator, setOperator] = useState<FilterOperator | "">("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string>();

  const prefix = KEYED_PREFIXES.find((p) => choice === keyedChoice(p));
  const columnName = prefix ? `${prefix}.${key.trim()}` : choice;
  const column = prefix ? columnOf(`${prefix}.x`) : choice ? columnOf(choice) : undefined;
  const operators = column ? operatorsOf(column) : [];
  const op = operators.find((o) => o === operator) ?? operators[0];

  const pick = (next: string) => {
    setChoice(next);
    setKey("");
    setOperator("");
    setValue("");
    setError(undefined);
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!column || !op) return setError("Choose a column.");
    if (prefix && !columnOf(columnName)) return setError(`Give a valid ${KEY_LABELS[prefix].toLowerCase()}.`);
    const parsed = parseValue(column, op, value);
    if ("error" in parsed) return setError(parsed.error);
    onChange([...filters, { column: columnName, operator: op, ...parsed }]);
    pick("");
  };

  return (
    <div className="filter-builder">
      {filters.length ? <Chips filters={filters} onRemove={(index) => onChange(filters.filter((_, i) => i !== index))} /> : null}
      {filters.length < TRACE_FILTERS_MAX ? (
        <form className="filter-builder-form" onSubmit={add} aria-label="Add a filter">
          <Field label="Column">
            {(control) => (
              <select {...control} value={choice} onChange={(e) => pick(e.target.value)}>
                <option value="">Add a filter…</option>
                {names.data?.length ? (
                  <optgroup label="Your evaluations">
                    {names.data.map((name) => (
                      <option key={name} value={`evaluations.${name}`}>
                        evaluations.{name}
                      </option>
                    ))}
                  </optgroup>
                ) : null}
                <optgroup label="Fields">
                  {PLAIN_COLUMNS.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </optgroup>
                <optgroup label="By key">
                  {KEYED_PREFIXES.map((p) => (
                    <option key={p} value={keyedChoice(p)}>
                      {p === "evaluations" ? "evaluations.<name>" : `${p}.<key>`}
                    </option>
                  ))}
                </optgroup>
              </select>
            )}
          </Field>
          {prefix ? (
            <Field label={KEY_LABELS[prefix]}>
              {(control) => <input {...control} value={key} onChange={(e) => setKey(e.target.value)} />}
            </Field>
          ) : null}
          {column && op ? (
            <>
              <Field label="Operator">
                {(control) => (
                  <select {...control} value={op} onChange={(e) => setOperator(e.target.value as FilterOperator)}>
                    {operators.map((o) => (
                      <option key={o} value={o}>
                        {OPERATOR_LABELS[o]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {takesValue(op) ? <ValueInput column={column} operator={op} value={value} onChange={setValue} /> : null}
              <button type="submit" className="button small">
                Add filter
              </button>
            </>
          ) : null}
          {error ? (
            <small className="field-error" role="alert">
              {error}
            </small>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
