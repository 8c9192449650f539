import { classifyAndExplain, startWasm } from './app.js';

// The page: choose an X-ray, see the prediction and the overlay. window.classifyFile is what the test calls.
window.classifyFile = async (bytes) => {
  // Beside the bundle (build.mjs copies them there), wherever the app is hosted.
  await startWasm(new URL('./wasm/', import.meta.url).href);
  const result = await classifyAndExplain(bytes, document.querySelector('canvas'));
  document.querySelector('#result').textContent = `${result.predictedClass} (${(100 * Math.max(...result.probabilities)).toFixed(1)} %)`;
  return result;
};
document.querySelector('input').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (file) await window.classifyFile(new Uint8Array(await file.arrayBuffer()));
});
