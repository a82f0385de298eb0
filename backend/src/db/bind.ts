/** A parameter binder for one statement: pushes a value to `params` and returns its placeholder (`$n`). */
export const binder =
  (params: unknown[]) =>
  (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
