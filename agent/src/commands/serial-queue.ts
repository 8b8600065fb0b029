/** Runs jobs one at a time, in arrival order (docs/protocol.md §"Commands and results"). */
export function createSerialQueue(onError: (e: unknown) => void) {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    push(job: () => Promise<void>): void {
      pending++;
      tail = tail
        .then(job)
        .catch(onError)
        .finally(() => {
          pending--;
        });
    },
    idle: () => tail,
    size: () => pending,
  };
}
