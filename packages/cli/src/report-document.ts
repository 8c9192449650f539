/**
 * A report as a list of blocks, rendered to Markdown and to standalone HTML from the same data so
 * the two never disagree.
 */
export type ReportBlock =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'table'; header: string[]; rows: string[][]; align?: ('left' | 'right')[] }
  | { kind: 'images'; images: { src: string; alt: string; caption?: string }[] }
  | { kind: 'code'; text: string }
  | { kind: 'list'; items: string[] };

export function renderMarkdown(blocks: readonly ReportBlock[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level)} ${block.text}`);
        break;
      case 'paragraph':
        out.push(block.text);
        break;
      case 'table': {
        const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
        const align = block.align ?? block.header.map((_, i) => (i === 0 ? 'left' : 'right'));
        out.push(
          [
            `| ${block.header.map(cell).join(' | ')} |`,
            `| ${align.map((a) => (a === 'right' ? '---:' : '---')).join(' | ')} |`,
            ...block.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
          ].join('\n'),
        );
        break;
      }
      case 'images':
        out.push(block.images.map((image) => `![${image.alt}](${encodeURI(image.src)})`).join(' '));
        break;
      case 'code':
        out.push('```\n' + block.text.replace(/\n$/, '') + '\n```');
        break;
      case 'list':
        out.push(block.items.map((item) => `- ${item}`).join('\n'));
        break;
    }
  }
  return out.join('\n\n') + '\n';
}

export function renderHtml(title: string, blocks: readonly ReportBlock[]): string {
  const body: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        body.push(`<h${block.level}>${inline(block.text)}</h${block.level}>`);
        break;
      case 'paragraph':
        body.push(`<p>${inline(block.text)}</p>`);
        break;
      case 'table': {
        const align = block.align ?? block.header.map((_, i) => (i === 0 ? 'left' : 'right'));
        const td = (tag: string, text: string, i: number) => `<${tag} style="text-align:${align[i]}">${inline(text)}</${tag}>`;
        body.push(
          `<table><thead><tr>${block.header.map((h, i) => td('th', h, i)).join('')}</tr></thead><tbody>` +
            block.rows.map((row) => `<tr>${row.map((c, i) => td('td', c, i)).join('')}</tr>`).join('') +
            '</tbody></table>',
        );
        break;
      }
      case 'images':
        body.push(
          `<div class="gallery">${block.images
            .map((image) => `<figure><img src="${escapeHtml(encodeURI(image.src))}" alt="${escapeHtml(image.alt)}">${image.caption ? `<figcaption>${inline(image.caption)}</figcaption>` : ''}</figure>`)
            .join('')}</div>`,
        );
        break;
      case 'code':
        body.push(`<pre><code>${escapeHtml(block.text)}</code></pre>`);
        break;
      case 'list':
        body.push(`<ul>${block.items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
        break;
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 75rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.55rem; }
th { background: #f3f3f3; }
.gallery { display: flex; flex-wrap: wrap; gap: 0.75rem; }
figure { margin: 0; } figure img { max-width: 22rem; display: block; } figcaption { font-size: 0.85rem; color: #555; }
pre { background: #f6f6f6; padding: 0.75rem; overflow-x: auto; }
</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escapes HTML, then renders the Markdown subset the report uses inline: `code` and **bold**. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}
