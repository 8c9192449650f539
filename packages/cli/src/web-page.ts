/**
 * The single page `fracture serve` offers: drop an X-ray, see the predicted
 * class, the per-class probabilities and the Grad-CAM overlay. With `inBrowser`
 * (the server's default) the page first runs the model itself (`/app.js`, see
 * page-app.ts), so the image never leaves the device, and posts the image to
 * the server only when that fails.
 */
export function renderWebPage(title = 'fracture-ai', options: { inBrowser?: boolean } = {}): string {
  const inBrowser = options.inBrowser ?? false;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  #drop { border: 2px dashed #888; border-radius: 12px; padding: 2.5rem; text-align: center; cursor: pointer; }
  #drop.over { border-color: #2a7; background: rgba(34, 170, 119, 0.08); }
  #result { margin-top: 1.5rem; }
  #result img { max-width: 100%; border-radius: 8px; }
  .bar { height: 1rem; background: #2a7; border-radius: 4px; }
  table { border-collapse: collapse; margin: 1rem 0; }
  td { padding: 0.2rem 0.6rem; }
  .error { color: #c33; font-weight: 600; }
  .note { color: #777; font-size: 0.9rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Drop an X-ray (PNG, JPEG or DICOM) below, or click to choose a file. ${
    inBrowser
      ? 'It is analysed in this browser and does not leave your device; only if the browser cannot run the model is it sent to this local server.'
      : 'The image is sent to this local server only.'
  }</p>
<div id="drop" tabindex="0" role="button" aria-label="Choose an X-ray">Drop an X-ray here
  <input id="file" type="file" accept=".png,.jpg,.jpeg,.dcm,image/png,image/jpeg,application/dicom" hidden>
</div>
<div id="result" aria-live="polite"></div>
<p class="note">A research tool, not a medical device: predictions are not a diagnosis.</p>
<script>
const inBrowser = ${inBrowser ? 'true' : 'false'};
// Loaded once; null when the browser cannot run it (the server then answers).
const engine = inBrowser ? import('/app.js').then(() => window.fractureInBrowser || null, () => null) : Promise.resolve(null);
const drop = document.getElementById('drop');
const input = document.getElementById('file');
const result = document.getElementById('result');
drop.addEventListener('click', () => input.click());
drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') input.click(); });
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) send(e.dataTransfer.files[0]); });
input.addEventListener('change', () => { if (input.files[0]) send(input.files[0]); });

function text(tag, value, cls) { const el = document.createElement(tag); el.textContent = value; if (cls) el.className = cls; return el; }

async function send(file) {
  result.replaceChildren(text('p', 'Analysing ' + file.name + '…'));
  const local = await engine;
  if (local) {
    try {
      show(file.name, await local.predict(new Uint8Array(await file.arrayBuffer()), location.origin), 'browser');
      return;
    } catch (err) {
      console.warn('fracture: the in-browser model failed, asking the server', err);
    }
  }
  try {
    const response = await fetch('/predict', { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) }, body: file });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    show(file.name, body, 'server');
  } catch (err) {
    result.replaceChildren(text('p', 'Could not analyse ' + file.name + ': ' + err.message, 'error'));
  }
}

function show(name, body, where) {
  const heading = text('h2', body.predictedClass + ' (' + (100 * body.probability).toFixed(1) + ' %)');
  heading.id = 'prediction';
  const table = document.createElement('table');
  for (const [cls, p] of Object.entries(body.probabilities)) {
    const row = table.insertRow();
    row.insertCell().textContent = cls;
    row.insertCell().textContent = (100 * p).toFixed(1) + ' %';
    const bar = document.createElement('div'); bar.className = 'bar'; bar.style.width = Math.round(200 * p) + 'px';
    row.insertCell().append(bar);
  }
  const nodes = [heading, table];
  const overlay = body.overlayUrl || (body.overlayPng && 'data:image/png;base64,' + body.overlayPng);
  if (overlay) {
    const img = document.createElement('img');
    img.id = 'overlay';
    img.alt = 'Grad-CAM overlay for ' + name;
    img.src = overlay;
    nodes.push(text('p', 'Grad-CAM: where the model looked for "' + body.predictedClass + '".'), img);
  }
  const origin = text('p', where === 'browser' ? 'Computed in this browser: the image did not leave your device.' : 'Computed by the local server.', 'note');
  origin.id = 'where';
  origin.dataset.where = where;
  nodes.push(origin);
  result.replaceChildren(...nodes);
}
</script>
</body>
</html>
`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
