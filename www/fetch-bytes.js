// Streaming fetch with progress, shared by the engine's worker (www/worker.js) and the tour's
// worker pool (www/pool.js).

/**
 * The bytes at `url`. `onProgress(done, total)` (optional) is called as they arrive, at most
 * every 100 ms and once at the end (`total` is 0 when the server gives no length). A response
 * that is not ok is an Error whose message the page can show as it is.
 */
export async function fetchBytes(url, onProgress) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load the dataset (${res.status} ${res.statusText})`);
  if (!onProgress || !res.body) return new Uint8Array(await res.arrayBuffer());
  const total = Number(res.headers.get('content-length')) || 0;
  const reader = res.body.getReader();
  const chunks = [];
  let done = 0;
  let last = 0;
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    chunks.push(value);
    done += value.length;
    if (performance.now() - last > 100) { last = performance.now(); onProgress(done, total); }
  }
  onProgress(done, total);
  const bytes = new Uint8Array(done);
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.length; }
  return bytes;
}
