/**
 * Runs a text question's rules off the page's thread (a module worker Vite bundles as a file
 * of the app's own origin). A pattern can backtrack for ever on some texts (`(a+)+$` on
 * "aaaa…ab"); here that only stalls this worker, which `ruleEngine.ts` ends when it runs over
 * its budget. One job at a time: `started` first (the budget counts from it), then the verdict.
 * Self-contained on purpose: it imports nothing.
 */
interface Job {
  id: number;
  source: string;
  flags: string;
  text: string;
}

const compiled = new Map<string, RegExp>();

function regexpOf(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let regexp = compiled.get(key);
  if (!regexp) {
    regexp = new RegExp(source, flags);
    if (compiled.size > 200) compiled.clear();
    compiled.set(key, regexp);
  }
  regexp.lastIndex = 0;
  return regexp;
}

self.onmessage = (event: MessageEvent<Job>) => {
  const { id, source, flags, text } = event.data;
  self.postMessage({ id, started: true });
  try {
    self.postMessage({ id, matched: regexpOf(source, flags).test(text) });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
