/**
 * Sleep-until-woken for polling loops: `idle(ms)` resolves after `ms` or at the next `wake()`, whichever
 * comes first. A wake that arrives while nobody sleeps is kept, so the next `idle` returns at once and
 * no notification is lost between a claim that found nothing and the sleep that follows it.
 */
export class Waker {
  private wakeSleeper: (() => void) | undefined;
  private pending = false;

  wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.pending = true;
  }

  idle(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }
}
