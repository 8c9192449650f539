// Rewrites the model-card section of README.md from the shipped card.json files (run after the recipe:
// `npm run card -w @fracture/pretrained`), so that the README never disagrees with the cards.
import { readFileSync, writeFileSync } from 'node:fs';
import { formatModelCard, listPretrainedModels } from '../dist/index.js';

const readme = new URL('../README.md', import.meta.url);
const text = readFileSync(readme, 'utf8');
const start = '<!-- model-cards:start -->';
const end = '<!-- model-cards:end -->';
const [before, rest] = text.split(start);
if (rest === undefined || !rest.includes(end)) throw new Error(`update-readme-card: README.md has no ${start} ... ${end} section`);
const after = rest.slice(rest.indexOf(end));
const cards = listPretrainedModels().map(formatModelCard).join('\n');
writeFileSync(readme, `${before}${start}\n${cards}${after}`);
console.log(`update-readme-card: ${listPretrainedModels().length} card(s) written`);
