import { HOOK_EVENTS, type HookEvent } from "../enums";
import { Checkbox } from "./Checkbox";

/** Pick events out of the hook events. */
export function EventChecklist(props: {
  legend: string;
  value: readonly string[];
  onChange: (events: HookEvent[]) => void;
  error?: string | undefined;
}) {
  const toggle = (event: HookEvent, on: boolean) =>
    props.onChange(HOOK_EVENTS.filter((candidate) => (candidate === event ? on : props.value.includes(candidate))));
  return (
    <fieldset className="checklist">
      <legend>{props.legend}</legend>
      {HOOK_EVENTS.map((event) => (
        <Checkbox key={event} label={event} checked={props.value.includes(event)} onChange={(on) => toggle(event, on)} />
      ))}
      {props.error ? <small className="field-error">{props.error}</small> : null}
    </fieldset>
  );
}
