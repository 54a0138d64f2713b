// An embedded lab (docs/ARCHITECTURE.md "Embeds"): lays out the view the engine chose for the
// link (src/experiment/embed.rs `Layout`: the parts shown, the one tail kind, the poster), keeps
// the engine quiet until the reader asks ("Run this", or scrolled into view when the author
// allowed it and the reader does not prefer reduced motion; one such embed of a page at a time),
// and tells the host page its height: {type: 'sgn-lab:height', id, height} to the parent window
// on load and on every change of the content's size (the snippet's script resizes the iframe).

const $ = (id) => document.getElementById(id);

/** Shows only the layout's parts (every `data-part` not listed is hidden) and, in the tails
 * view with one kind, only that kind's figure. */
export function applyLayout(layout) {
  document.body.dataset.view = layout.view;
  for (const el of document.querySelectorAll('[data-part]')) {
    if (!layout.parts.includes(el.dataset.part)) el.classList.add('is-hidden');
  }
  if (layout.kind) document.body.dataset.kind = layout.kind;
}

/** Posts the content's height to the parent whenever it changes (nothing outside an iframe). */
export function reportHeight(id) {
  if (window.parent === window) return;
  let last = -1;
  const send = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // The height is not a secret and the host's origin is not known: any parent may read it.
    window.parent.postMessage({ type: 'sgn-lab:height', id: id || '', height }, '*');
  };
  new ResizeObserver(send).observe(document.documentElement);
  send();
}

/**
 * The embeds of one page take turns at starting an engine on their own (start when visible):
 * over a BroadcastChannel (same-origin frames of one page share it; Web Locks are refused to a
 * third-party iframe in some browsers) each running embed says 'busy' and then 'free', and an
 * embed that wants to start claims a turn with its time; the earliest claim goes first once none
 * is busy. A reader's click needs no turn, but its run is announced like the others.
 */
function engineTurns() {
  const me = Math.random().toString(36).slice(2);
  const ch = 'BroadcastChannel' in window ? new BroadcastChannel('sgn-lab:engines') : null;
  const busy = new Set();
  const claims = new Map();
  let mine = null;
  let running = false;
  let wake = () => {};
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  ch?.addEventListener('message', ({ data: d }) => {
    if (!d || typeof d.id !== 'string' || d.id === me) return;
    if (d.type === 'busy') { busy.add(d.id); claims.delete(d.id); }
    if (d.type === 'free') { busy.delete(d.id); claims.delete(d.id); }
    if (d.type === 'claim' && typeof d.t === 'number') claims.set(d.id, d.t);
    if (d.type === 'ask' && running) ch.postMessage({ type: 'busy', id: me });
    if (d.type === 'ask' && !running && mine !== null) ch.postMessage({ type: 'claim', id: me, t: mine });
    wake();
  });
  ch?.postMessage({ type: 'ask', id: me });
  const earlier = () => [...claims].some(([id, t]) => t < mine || (t === mine && id < me));
  return {
    /** Resolves when this embed may start. */
    async turn() {
      if (!ch) return;
      mine = performance.timeOrigin + performance.now();
      for (;;) {
        ch.postMessage({ type: 'claim', id: me, t: mine });
        await sleep(250); // the others' answers
        if (!busy.size && !earlier()) return;
        await new Promise((r) => { wake = r; setTimeout(r, 1000); });
      }
    },
    started() { running = true; mine = null; ch?.postMessage({ type: 'busy', id: me }); },
    over() { if (running) { running = false; ch?.postMessage({ type: 'free', id: me }); } },
  };
}

/**
 * The poster and its one button. `run()` starts the engine (called once). With `startVisible`
 * the run also starts when the poster is half in view, unless the reader prefers reduced motion,
 * and in turn with the page's other embeds (`engineTurns`), so several embeds in view start one
 * after another. A view whose figure comes only at the end (a measurement) keeps its poster,
 * without the button, until `reveal()`, so the embed does not shrink to a status line while the
 * engine works. Returns `{done, reveal}`: `done()` when the run's heavy part is over (the next
 * embed's turn), `reveal()` when the figure is there.
 */
export function posterGate(layout, { run, startVisible, tourText }) {
  const box = $('embed-poster');
  box.hidden = false;
  document.body.classList.add('quiet');
  $('embed-figure').textContent = layout.figure.charAt(0).toUpperCase() + layout.figure.slice(1);
  const img = $('embed-poster-img');
  if (layout.poster) {
    img.src = layout.poster;
    img.alt = `Picture of ${layout.figure}`;
    img.hidden = false;
  } else {
    img.remove();
    const t = tourText();
    $('embed-claim').textContent = t;
    $('embed-claim').hidden = !t;
  }
  $('embed-poster-note').textContent = layout.poster_note;
  const turns = engineTurns();
  let started = false;
  const reveal = () => { box.hidden = true; };
  const go = () => {
    if (started) return;
    started = true;
    turns.started();
    document.body.classList.remove('quiet');
    if (layout.run === 'train-then-measure') {
      $('embed-run').hidden = true;
      $('embed-poster-note').textContent = 'Training and measuring in your browser: the figure replaces this picture when it is ready.';
    } else {
      reveal();
    }
    run();
  };
  $('embed-run').addEventListener('click', go);
  const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
  if (startVisible && !reduced && 'IntersectionObserver' in window) {
    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      io.disconnect();
      turns.turn().then(go);
    }, { threshold: 0.5 });
    io.observe(box);
  }
  return { done: () => turns.over(), reveal };
}
