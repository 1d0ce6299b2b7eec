// "Ask": the canned-query catalogue as forms, results as a sortable table with links and a CSV.
import { clearProblem, showProblem } from "./errors.js";
import { completeFromGraph, config, getJson, h, isIri, linkTo, pageOf } from "./util.js";

const question = document.getElementById("question");
const forms = [...document.querySelectorAll("form.canned")];
const results = document.getElementById("ask-results");
const status = document.getElementById("ask-status");
const errorBox = document.getElementById("ask-error");
const tools = document.getElementById("ask-tools");
const csvLink = document.getElementById("ask-csv");
const jsonLink = document.getElementById("ask-json");
const sparqlBox = document.getElementById("ask-sparql");
const showSparql = document.getElementById("ask-show-sparql");
const openEditor = document.getElementById("ask-open-editor");
const tableWrap = document.getElementById("ask-table-wrap");
const citeBox = document.getElementById("ask-cite");
const citeText = document.getElementById("ask-cite-text");
const citeCopy = document.getElementById("ask-cite-copy");
const citeStatus = document.getElementById("ask-cite-status");

const CELL_CLASS = { integer: "num", date: "date" };
// Columns whose cells list the parts of documents a row rests on ("20(a); 22; 41"): each part is
// written as a citation writes it and linked to its page (config.parts, from the graph).
const PARAGRAPH_COLUMNS = new Set(["paragraphs", "mentioned_in", "sources", "paragraph"]);

let current = null; // { name, params } of the answer on show
let running = null; // AbortController of the request in flight
let openInEditor = () => {};

function formOf(name) {
  return document.getElementById(`form-${name}`);
}

/** Show one question's form, hide the others. */
function choose(name) {
  if (!formOf(name)) name = forms[0].dataset.query;
  question.value = name;
  for (const form of forms) form.hidden = form.dataset.query !== name;
  return formOf(name);
}

/** The filled-in values of a form, without empty ones. */
function paramsOf(form) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (key !== "format" && String(value).trim() !== "") params.append(key, String(value).trim());
  }
  return params;
}

function fill(form, params) {
  for (const control of form.elements) {
    if (!control.name || control.name === "format") continue;
    control.value = params.get(control.name) ?? "";
    control.removeAttribute("aria-invalid");
  }
}

function setBusy(busy, text) {
  results.hidden = false;
  results.setAttribute("aria-busy", busy ? "true" : "false");
  status.textContent = text;
  status.classList.toggle("loading", busy);
  for (const button of document.querySelectorAll("form.canned button[type=submit]")) button.disabled = busy;
}

function showError(error, form, sent) {
  showProblem(errorBox, error, form, sent);
}

/** Text safe in a file name: the rules of app/canned/naming.py (`slug`), so a download from the
 * page and one from the API get the same name. */
function slug(text, limit = 40) {
  const plain = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  return plain.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, limit).replace(/^-+|-+$/g, "");
}

/** "partners-covering_subject-sharks.csv": the question and its parameters, sorted by name, without
 * those at their default value (app/canned/naming.py, `file_name`). */
function fileName(name, query, extension) {
  const defaults = config.queries[name].defaults || {};
  const given = [...new URLSearchParams(query)].filter(([key, value]) => value.trim() && defaults[key] !== value.trim());
  given.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts = [name, ...given.map(([key, value]) => `${slug(key)}-${slug(value.trim())}`.replace(/^-+|-+$/g, ""))];
  const stem = parts.filter(Boolean).join("_").slice(0, 150).replace(/^[-_]+|[-_]+$/g, "");
  return `${stem}.${extension}`;
}

/** Point the download links at the answer on show, or take them away when none is shown (so a
 * failed question can never download the previous question's answer). */
function offerDownloads(name, query = "") {
  tools.hidden = name === null;
  if (name === null) showCitation(null);
  for (const link of [csvLink, jsonLink]) {
    link.removeAttribute("href");
    link.removeAttribute("download");
  }
  if (name === null) return;
  const base = `/api/queries/${name}?${query}${query ? "&" : ""}format=`;
  csvLink.href = base + "csv";
  csvLink.setAttribute("download", fileName(name, query, "csv"));
  jsonLink.href = base + "json";
}

/** The "Cite this" line of the answer on show (from the API: its permalink names the question,
 * its parameters and the data version), or none. */
function showCitation(citation) {
  citeBox.hidden = !citation;
  citeText.textContent = citation ? citation.text : "";
  citeStatus.textContent = "";
}

/** Copy the citation; where the browser keeps the clipboard from the page, select it instead. */
async function copyCitation() {
  try {
    await navigator.clipboard.writeText(citeText.textContent);
    citeStatus.textContent = "Copied.";
  } catch {
    window.getSelection().selectAllChildren(citeText);
    citeStatus.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy it.";
  }
}

/** Run a canned query and show its answer. */
async function run(name, params) {
  const form = formOf(name);
  if (running) running.abort();
  running = new AbortController();
  clearProblem(errorBox, form);
  offerDownloads(null);
  sparqlBox.hidden = true;
  showSparql.setAttribute("aria-expanded", "false");
  tableWrap.replaceChildren();
  setBusy(true, "Running the question…");
  const query = params.toString();
  try {
    const answer = await getJson(`/api/queries/${name}?${query}${query ? "&" : ""}format=json`, running.signal);
    current = { name, params };
    renderTable(name, answer);
    offerDownloads(name, query);
    showCitation(answer.citation);
    setBusy(false, `${answer.count} ${answer.count === 1 ? "row" : "rows"}.`);
  } catch (error) {
    if (error.name === "AbortError") return;
    current = null;
    offerDownloads(null);
    setBusy(false, "");
    showError(error, form, params);
  } finally {
    running = null;
  }
}

/** "20(a); 22; Ramsar COP11 report" as "UNEP/CMS/COP11/Doc.21.1, para. 20(a), para. 22; Ramsar
 * COP11 report": the parts of one document after its symbol, each a link to its page; other
 * sources as they are. */
function paragraphCell(text) {
  const byDocument = new Map();
  const others = [];
  for (const item of text.split("; ")) {
    const part = config.parts[item];
    if (!part) others.push(item);
    else if (byDocument.has(part.symbol)) byDocument.get(part.symbol).push(part);
    else byDocument.set(part.symbol, [part]);
  }
  const link = (part) => h("a", { href: pageOf(part.iri), title: part.cite }, part.local);
  const pieces = [...byDocument].map(([symbol, parts]) => [`${symbol}, `, ...parts.flatMap((p, i) => (i ? [", ", link(p)] : [link(p)]))]);
  pieces.push(...others.map((other) => [other]));
  return pieces.flatMap((piece, i) => (i ? ["; ", ...piece] : piece));
}

function cellContent(column, row) {
  const value = row[column.name];
  if (value === null || value === undefined || value === "") return "";
  if (Array.isArray(value)) {
    // a rolled-up list: each value (with its label, for IRIs), "; "-separated as in the CSV
    const labels = row[`${column.name}_label`] || [];
    const one = { ...column, many: false };
    return value.flatMap((item, i) => [...(i ? ["; "] : []), cellContent(one, { [column.name]: item, [`${column.name}_label`]: labels[i] })]);
  }
  if (PARAGRAPH_COLUMNS.has(column.name) && column.type === "text") return paragraphCell(String(value));
  if (column.type === "iri" || (column.type === "term" && isIri(value))) {
    return linkTo(value, row[`${column.name}_label`] || value);
  }
  return String(value);
}

function sortValue(column, row) {
  const value = row[column.name];
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
  if (Array.isArray(value)) return String((row[`${column.name}_label`] || value).join("; ")).toLowerCase();
  if (column.type === "integer") return Number(value);
  if (column.type === "iri" || column.type === "term") return String(row[`${column.name}_label`] || value).toLowerCase();
  return String(value).toLowerCase();
}

/** Why the answer is empty (the API's hint) and a button for each question worth asking instead. */
function emptyAnswer(name, hint) {
  const message = hint ? hint.message : "No answers.";
  const tries = (hint ? hint.tries : []).map((t) => {
    const button = h("button", { type: "button", class: "try" }, t.label);
    button.addEventListener("click", () => {
      location.hash = `#ask/${name}?${new URLSearchParams(t.parameters)}`;
    });
    return button;
  });
  return h("div", { class: "empty", role: "status" }, h("p", {}, message), ...(tries.length ? [h("p", { class: "tries" }, ...tries)] : []));
}

/** The answer as a table; each header is a button that sorts by its column. */
function renderTable(name, answer) {
  // the answer's own columns: a query with a rollup answers detail=true with other ones
  const known = new Map([...(config.queries[name].detail_columns || []), ...config.queries[name].columns].map((c) => [c.name, c]));
  const columns = answer.columns.map((n) => known.get(n)).filter((c) => c && !c.label_of);
  const rows = answer.rows.slice();
  if (!rows.length) {
    tableWrap.replaceChildren(emptyAnswer(name, answer.hint));
    return;
  }
  const table = h("table", { class: "answers", id: "ask-table" });
  table.append(h("caption", { class: "visually-hidden" }, `${config.queries[name].title}: ${rows.length} rows`));
  const headRow = h("tr");
  const body = h("tbody");
  const draw = () =>
    body.replaceChildren(...rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: CELL_CLASS[c.type] || null }, cellContent(c, row))))));
  columns.forEach((column, index) => {
    const th = h("th", { scope: "col", "aria-sort": "none", title: column.description, class: column.type === "integer" ? "num" : null });
    const button = h("button", { type: "button", class: "sort" }, column.title, h("span", { class: "arrow", "aria-hidden": "true" }));
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of headRow.children) other.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort((a, b) => {
        const x = sortValue(column, a);
        const y = sortValue(column, b);
        if (x === y) return 0;
        if (x === null) return 1; // empty cells last, either way
        if (y === null) return -1;
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
        return ascending ? order : -order;
      });
      draw();
    });
    th.append(button);
    headRow.append(th);
  });
  table.append(h("thead", {}, headRow), body);
  draw();
  tableWrap.replaceChildren(table);
}

async function boundSparql() {
  const { name, params } = current;
  const answer = await getJson(`/web/sparql/${name}?${params}`);
  return answer.sparql;
}

/** Route "#ask/name?param=value": show the form, fill it, and run it when it has values. */
export function route(rest) {
  const [name, query] = (rest || "").split("?");
  const form = choose(name || question.value);
  if (query !== undefined) {
    const params = new URLSearchParams(query);
    fill(form, params);
    run(form.dataset.query, params);
  }
}

export function init(options) {
  openInEditor = options.openInEditor;
  document.documentElement.classList.add("js");
  for (const el of document.querySelectorAll("form.canned .nojs")) el.remove();
  for (const el of document.querySelectorAll("form.canned .jsonly")) el.hidden = false;
  for (const input of document.querySelectorAll("form.canned input[data-kind]")) completeFromGraph(input);
  question.addEventListener("change", () => {
    choose(question.value);
    history.replaceState(null, "", `#ask/${question.value}`);
  });
  for (const form of forms) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const params = paramsOf(form);
      history.pushState(null, "", `#ask/${form.dataset.query}?${params}`);
      run(form.dataset.query, params);
    });
    const example = form.querySelector(".fill-example");
    if (example) {
      example.addEventListener("click", () => {
        for (const control of form.elements) if (control.dataset && control.dataset.example !== undefined) control.value = control.dataset.example;
      });
    }
  }
  citeCopy.addEventListener("click", copyCitation);
  showSparql.addEventListener("click", async () => {
    if (!sparqlBox.hidden) {
      sparqlBox.hidden = true;
      showSparql.setAttribute("aria-expanded", "false");
      showSparql.textContent = "Show the SPARQL";
      return;
    }
    try {
      sparqlBox.textContent = await boundSparql();
      sparqlBox.hidden = false;
      showSparql.setAttribute("aria-expanded", "true");
      showSparql.textContent = "Hide the SPARQL";
    } catch (error) {
      showError(error, null);
    }
  });
  openEditor.addEventListener("click", async () => {
    try {
      openInEditor(await boundSparql());
    } catch (error) {
      showError(error, null);
    }
  });
  choose(question.value);
}
