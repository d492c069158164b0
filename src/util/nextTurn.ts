/**
 * Let the event loop run once (timers, I/O, a waiting HTTP request) before going on: a long build
 * awaits this between its steps, so that a preview in the same process answers the page while
 * the other editions are made.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
