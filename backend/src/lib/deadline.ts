/** `work`, or a rejection once `ms` have passed (the work itself goes on; only the wait ends). */
export function withDeadline<T>(work: Promise<T>, ms: number, what = "the operation"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
