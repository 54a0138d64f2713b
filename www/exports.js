// Exports: each chart as PNG, the data behind it as CSV, a whole report as JSON. Files are made
// in the page (Blob + object URL); nothing is sent anywhere.

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** CSV with a header row from equal-length columns. */
export function toCsv(columns) {
  const names = Object.keys(columns);
  const n = Math.max(0, ...names.map((k) => columns[k].length));
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => (i < columns[k].length ? String(columns[k][i]) : '')).join(','));
  return lines.join('\n') + '\n';
}

/** Adds "PNG" and "CSV" buttons under the chart `canvas` (once); `columns()` gives the CSV's
 * data and `baseName` (a string, or a function for a name that changes) the file name. */
export function addChartExports(canvas, baseName, columns) {
  const name = () => (typeof baseName === 'function' ? baseName() : baseName);
  const figure = canvas.closest('figure');
  if (!figure || figure.querySelector('.exports')) return;
  const bar = document.createElement('div');
  bar.className = 'exports';
  const png = document.createElement('button');
  png.type = 'button';
  png.textContent = 'PNG';
  png.dataset.testid = `png-${canvas.dataset.testid}`;
  png.addEventListener('click', () => canvas.toBlob((b) => b && download(`${name()}.png`, b), 'image/png'));
  const csv = document.createElement('button');
  csv.type = 'button';
  csv.textContent = 'CSV';
  csv.dataset.testid = `csv-${canvas.dataset.testid}`;
  csv.addEventListener('click', () => download(`${name()}.csv`, new Blob([toCsv(columns())], { type: 'text/csv' })));
  bar.append(png, csv);
  figure.append(bar);
}

/** A button that downloads `json()` as a file; `name` is a string or a function giving one. */
export function jsonButton(button, name, json) {
  button.addEventListener('click', () => download(typeof name === 'function' ? name() : name, new Blob([json()], { type: 'application/json' })));
}
