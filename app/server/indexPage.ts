/**
 * The page `/` shows until the renderer is built (or when --static has no
 * index): that the API is up, its methods (from API_METHODS, so none is
 * missing), how to call them, and a link to the live event stream. Static
 * HTML, no script and no inline style, so the strict CSP needs no exception.
 */
import { API_METHODS } from '../contract.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function indexPage(o: { authorized: boolean }): string {
  const methods = Object.keys(API_METHODS)
    .map((m) => `<li><code>POST /api/${escapeHtml(m)}</code></li>`)
    .join('\n');
  const auth = o.authorized
    ? '<p>This browser holds the token (a cookie), so it may call the API.</p>'
    : '<p>Open the URL that <code>cfm serve</code> printed (it ends in <code>?token=...</code>) to use the API from this browser.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CFM Workbench API</title>
</head>
<body>
<h1>CFM Workbench API is up</h1>
<p>The browser interface is not built into this server; the API below is complete.</p>
${auth}
<p>Each method takes a JSON object as the body of a POST, with <code>Authorization: Bearer TOKEN</code>
(or <code>?token=TOKEN</code>), and answers JSON in which float arrays are
<code>{"$f32": base64}</code> / <code>{"$f64": base64}</code> and binary data <code>{"$u8": base64}</code>.
Errors answer <code>{"error": {"code", "field", "message"}}</code> with a 4xx or 5xx status.</p>
<p>Live events (progress, snapshots, status changes) stream as Server-Sent Events from
<a href="/api/events">/api/events</a>.</p>
<h2>Methods</h2>
<ul>
${methods}
</ul>
</body>
</html>
`;
}
