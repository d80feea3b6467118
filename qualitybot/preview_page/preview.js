// qualitybot preview: paste or drop an article, POST it to /api/check, show the report in place.
// Everything from the article or the report is set as text (textContent, text nodes), never as HTML.
"use strict";

const RANK = { error: 3, warning: 2, info: 1 };
const $ = (id) => document.getElementById(id);
let checked = null; // {text, report}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child); // strings become text nodes
  return node;
}

function formatOf(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith(".html") || lower.endsWith(".htm")) return "html";
  if (lower.endsWith(".txt")) return "text";
  return "markdown";
}

function setStatus(message, problem) {
  $("status").textContent = message;
  $("status").classList.toggle("problem", Boolean(problem));
}

async function check() {
  const text = $("text").value.replace(/\r\n/g, "\n");
  if (!text.trim()) {
    setStatus("Paste an article first.", true);
    return;
  }
  const body = { text, format: $("format").value };
  if ($("published").value) body.published_at = $("published").value;
  setStatus("Checking…");
  $("check").disabled = true;
  try {
    const response = await fetch("/api/check", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) {
      setStatus(`Not checked: ${data.error || response.status}`, true);
      return;
    }
    checked = { text, report: data };
    render();
    setStatus("");
  } catch (error) {
    setStatus(`Not checked: ${error}`, true);
  } finally {
    $("check").disabled = false;
  }
}

// Line and column count code points (1-based); JavaScript strings count UTF-16 units.
function offsets(text) {
  const lines = text.split("\n");
  const starts = [];
  let position = 0;
  for (const line of lines) {
    starts.push(position);
    position += line.length + 1;
  }
  return (line, column) => {
    if (line - 1 >= lines.length) return text.length;
    const codePoints = Array.from(lines[line - 1]).slice(0, Math.max(0, column - 1));
    return Math.min(text.length, starts[line - 1] + codePoints.join("").length);
  };
}

function render() {
  const { text, report } = checked;
  const doc = report.documents[0];
  const verdict = $("verdict");
  verdict.className = `verdict ${doc.verdict}`;
  verdict.textContent = doc.verdict === "pass" ? "PASS" : "FAIL";
  const summary = report.summary;
  $("count").textContent = `(${summary.errors} errors, ${summary.warnings} warnings, ${summary.infos} infos)`;

  const at = offsets(text);
  const spans = doc.findings.map((f, i) => {
    const start = at(f.line, f.column);
    let end = at(f.end_line, f.end_column);
    if (end <= start) end = Math.min(text.length, start + 1); // nothing to underline: mark one character
    return { i, start, end, finding: f };
  });
  renderArticle(text, spans);
  renderFindings(doc.findings);
  renderMetrics(doc.metrics);
  $("notes").replaceChildren(...(doc.notes || []).map((note) => el("li", {}, note)));
  showArticle(true);
}

function renderArticle(text, spans) {
  const cuts = new Set([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const article = $("article");
  article.replaceChildren();
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]];
    const piece = text.slice(a, b);
    const covering = spans.filter((s) => s.start <= a && b <= s.end);
    if (!covering.length) {
      article.append(piece);
      continue;
    }
    const worst = covering.reduce((x, y) => (RANK[y.finding.severity] > RANK[x.finding.severity] ? y : x));
    const mark = el("mark", {
      class: worst.finding.severity,
      "data-findings": covering.map((s) => s.i).join(" "),
      title: covering.map((s) => `${s.finding.rule}: ${s.finding.message}`).join("\n"),
    }, piece);
    mark.addEventListener("click", () => select(covering[0].i, false));
    article.append(mark);
  }
}

function renderFindings(findings) {
  const list = $("findings");
  list.replaceChildren();
  if (!findings.length) list.append(el("li", { class: "info" }, "No findings."));
  findings.forEach((f, i) => {
    const item = el("li", { class: f.severity, "data-finding": String(i), tabindex: "0" },
      el("span", { class: "severity" }, f.severity),
      el("span", { class: "rule" }, `${f.rule} · line ${f.line}:${f.column}`),
      el("span", { class: "message" }, f.message));
    if (f.suggestions.length) {
      const suggestions = el("span", { class: "suggestions" }, "Suggestion: ");
      f.suggestions.slice(0, 5).forEach((s, k) => {
        if (k) suggestions.append(" | ");
        suggestions.append(el("code", {}, s));
      });
      item.append(suggestions);
    }
    item.addEventListener("click", () => select(i, true));
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter") select(i, true);
    });
    list.append(item);
  });
}

function renderMetrics(metrics) {
  const rows = Object.entries(metrics || {}).map(([name, value]) =>
    el("tr", {}, el("td", {}, name.replace(/_/g, " ")), el("td", {}, String(value))));
  $("metrics").tBodies[0].replaceChildren(...rows);
}

// Jump to finding i: its places in the article and its entry in the list light up.
function select(i, scrollArticle) {
  showArticle(true);
  for (const node of document.querySelectorAll("mark.active, #findings li.active")) node.classList.remove("active");
  const marks = [...document.querySelectorAll("#article mark")].filter((m) =>
    m.dataset.findings.split(" ").includes(String(i)));
  marks.forEach((m) => m.classList.add("active"));
  const item = document.querySelector(`#findings li[data-finding="${i}"]`);
  if (item) {
    item.classList.add("active");
    if (!scrollArticle) item.scrollIntoView({ block: "nearest" });
  }
  if (scrollArticle && marks.length) marks[0].scrollIntoView({ block: "center" });
}

function showArticle(show) {
  $("article").hidden = !show || !checked;
  $("text").hidden = show && Boolean(checked);
  $("edit").hidden = $("text").hidden === false;
}

document.addEventListener("DOMContentLoaded", () => {
  $("check").addEventListener("click", check);
  $("edit").addEventListener("click", () => {
    showArticle(false);
    $("text").focus();
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) check();
  });
  $("text").addEventListener("paste", () => setTimeout(check, 0));
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("dragging");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", async (event) => {
    event.preventDefault();
    drop.classList.remove("dragging");
    const file = event.dataTransfer.files[0];
    if (!file) return;
    $("text").value = await file.text();
    $("format").value = formatOf(file.name);
    showArticle(false);
    check();
  });
});
