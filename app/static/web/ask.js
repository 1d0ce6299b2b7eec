// "Ask": the canned-query catalogue as forms, results as a sortable table with links and a CSV,
// or as the picture that fits the question (timeline, map, bars: pictures.js), with facets to
// narrow the rows (facets.js). The address holds the question, its parameters, the view and the
// filters: #ask/arrangements?party=IFAW&_view=timeline&_kind=<IRI>.
import { clearProblem, showProblem } from "./errors.js";
import { PAGE_KEY, VIEW_KEY, filterRows, filtersFrom, filtersToParams, renderFacets } from "./facets.js";
import * as pictures from "./pictures.js";
import { completeFromGraph, config, getJson, h, isIri, linkTo, pageOf } from "./util.js";

const question = document.getElementById("question");
const forms = [...document.querySelectorAll("form.canned")];
const results = document.getElementById("ask-results");
const status = document.getElementById("ask-status");
const errorBox = document.getElementById("ask-error");
const tools = document.getElementById("ask-tools");
const csvLink = document.getElementById("ask-csv");
const jsonLink = document.getElementById("ask-json");
const networkLink = document.getElementById("ask-network");
const sparqlBox = document.getElementById("ask-sparql");
const showSparql = document.getElementById("ask-show-sparql");
const openEditor = document.getElementById("ask-open-editor");
const tableWrap = document.getElementById("ask-table-wrap");
const citeBox = document.getElementById("ask-cite");
const citeText = document.getElementById("ask-cite-text");
const citeCopy = document.getElementById("ask-cite-copy");
const citeStatus = document.getElementById("ask-cite-status");
const viewBar = document.getElementById("ask-views");
const facetPanel = document.getElementById("ask-facets");
const pictureBox = document.getElementById("ask-picture");
const pictureNote = document.getElementById("ask-picture-note");
const questionFilter = document.getElementById("question-filter");
const questionCount = document.getElementById("question-count");
const VIEW_NAMES = { table: "Table", timeline: "Timeline", map: "Map", bar: "Bar chart" };

const CELL_CLASS = { integer: "num", date: "date" };
// Columns whose cells list the parts of documents a row rests on ("20(a); 22; 41"): each part is
// written as a citation writes it and linked to its page (config.parts, from the graph).
const PARAGRAPH_COLUMNS = new Set(["paragraphs", "mentioned_in", "sources", "paragraph"]);
// Questions about one organisation's partners, and the parameter naming it: their answer links to
// the network drawn around that organisation (#see?focus=<IRI>), the picture of the same question.
const NETWORK_FOCUS = { "partner-network": "organisation", "organisation-profile": "organisation" };

let current = null; // { name, params, answer, view, by, filters } of the answer on show
let running = null; // AbortController of the request in flight
let openInEditor = () => {};

function formOf(name) {
  return document.getElementById(`form-${name}`);
}

/** Keep in the question list the questions whose title or description holds every word typed
 * in the filter box; the first of them is chosen when the one on show is filtered out. */
function filterQuestions() {
  const words = questionFilter.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const option of question.options) {
    const form = formOf(option.value);
    const text = `${option.textContent} ${form.querySelector(".description").textContent}`.toLowerCase();
    const match = words.every((word) => text.includes(word));
    option.hidden = !match;
    option.disabled = !match;
    if (match) shown += 1;
  }
  questionCount.textContent = words.length ? `${shown} of ${question.options.length} questions match.` : "";
  const selected = question.options[question.selectedIndex];
  if (selected && selected.hidden) {
    const first = [...question.options].find((o) => !o.hidden);
    if (first) choose(first.value);
  }
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
  if (name === null) {
    showCitation(null);
    offerNetwork(null, null);
  }
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

/** A link from the answer on show to the network around the organisation it asks about (the
 * resolved IRI, so the picture is of the very organisation answered), or none. */
function offerNetwork(name, answer) {
  const asked = answer && NETWORK_FOCUS[name] ? answer.parameters[NETWORK_FOCUS[name]] : null;
  networkLink.hidden = !(asked && asked.iri);
  networkLink.removeAttribute("href");
  if (networkLink.hidden) return;
  networkLink.href = `/#see?${new URLSearchParams({ focus: asked.iri })}`;
  networkLink.textContent = `See the network around ${asked.value}`;
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

/** The address's keys that belong to the page (view, filters) apart from the question's own. */
function splitParams(params) {
  const question = new URLSearchParams();
  const page = new URLSearchParams();
  for (const [key, value] of params) (key.startsWith(PAGE_KEY) ? page : question).append(key, value);
  return { question, page };
}

/** Run a canned query and show its answer, in the view and with the filters `page` names. */
async function run(name, params, page = new URLSearchParams()) {
  const form = formOf(name);
  if (running) running.abort();
  running = new AbortController();
  clearProblem(errorBox, form);
  offerDownloads(null);
  sparqlBox.hidden = true;
  showSparql.setAttribute("aria-expanded", "false");
  tableWrap.replaceChildren();
  viewBar.hidden = true;
  facetPanel.hidden = true;
  pictureBox.hidden = true;
  pictureNote.textContent = "";
  setBusy(true, "Running the question…");
  const query = params.toString();
  try {
    const answer = await getJson(`/api/queries/${name}?${query}${query ? "&" : ""}format=json`, running.signal);
    const columns = columnsOf(name, answer);
    const [view, by] = (page.get(VIEW_KEY) || "").split(".");
    current = { name, params, answer, view, by, filters: filtersFrom(page, columns) };
    offerDownloads(name, query);
    offerNetwork(name, answer);
    showCitation(answer.citation);
    await showAnswer();
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

/** A column's header: the answer's human title for it when it has one, else the page's. */
function titleOf(name) {
  const { answer } = current;
  if (answer.titles && answer.titles[name]) return answer.titles[name];
  const column = columnsOf(current.name, answer).find((c) => c.name === name);
  return column ? column.title : name;
}

/** The answer on show, in its view, filtered: the table or picture, the facets, the count, and
 * the address (replaced, not pushed: narrowing an answer is not a new page to go back to). */
async function showAnswer() {
  const { name, answer, filters } = current;
  const views = config.queries[name].views || ["table"];
  if (!views.includes(current.view)) current.view = views[0];
  if (!answer.rows.length) current.view = "table"; // an empty answer says so, and what to try, in words
  const columns = columnsOf(name, answer);
  const rows = filterRows(answer.rows, columns, filters);
  renderFacets(facetPanel, answer.facets, columns, filters, titleOf, () => showAnswer(), answer.rows);
  renderViewBar(views, answer);
  const total = `${answer.count} ${answer.count === 1 ? "row" : "rows"}`;
  setBusy(false, rows.length === answer.rows.length ? `${total}.` : `${rows.length} of ${total}.`);
  writeAddress();
  const table = current.view === "table";
  tableWrap.hidden = !table;
  pictureBox.hidden = table;
  pictureNote.textContent = "";
  if (table) {
    if (pictureBox.embedded) pictureBox.embedded.finalize();
    pictureBox.embedded = null;
    pictureBox.replaceChildren();
    renderTable(name, answer, rows);
    return;
  }
  tableWrap.replaceChildren();
  pictureBox.dataset.view = current.view;
  pictureBox.dataset.drawn = "false";
  try {
    await drawPicture(current.view, columns, rows);
    pictureBox.dataset.drawn = "true";
  } catch (error) {
    pictureNote.textContent = `The picture could not be drawn: ${error.message}`;
  }
}

/** Columns a bar chart can count by: those with facets, else every categorical one. */
function countable(columns, answer) {
  const named = Object.keys(answer.facets || {});
  const all = columns.filter((c) => !c.label_of && ["text", "iri", "term", "date"].includes(c.type));
  return named.length ? all.filter((c) => named.includes(c.name)) : all;
}

async function drawPicture(view, columns, rows) {
  const shown = { name: current.name };
  const titled = columns.map((c) => ({ ...c, title: titleOf(c.name) }));
  if (view === "timeline") {
    const { drawn, undated } = await pictures.timeline(pictureBox, titled, rows);
    pictureNote.textContent = `${drawn} dated ${drawn === 1 ? "row" : "rows"}` + (undated ? `; ${undated} without a date, not drawn.` : ".");
  } else if (view === "map") {
    const { countries, missing, elsewhere } = await pictures.map(pictureBox, titled, rows, config.countries || {});
    const notes = [`${countries} ${countries === 1 ? "country" : "countries"} on the map.`];
    if (missing.length) notes.push(`Too small for this map: ${missing.join(", ")}.`);
    if (elsewhere.length) notes.push(`Also named, not a single country: ${elsewhere.join(", ")}.`);
    pictureNote.textContent = notes.join(" ");
  } else if (view === "bar") {
    const options = countable(titled, current.answer);
    const column = options.find((c) => c.name === current.by) || options[0];
    if (!column) throw new Error("this answer has no column to count by");
    current.by = column.name;
    const select = document.getElementById("ask-count-by");
    select.replaceChildren(...options.map((c) => h("option", { value: c.name, selected: c === column }, c.title)));
    select.parentElement.hidden = false;
    const { drawn, of } = await pictures.barsOf(pictureBox, column, rows, (value) => {
      const set = current.filters.get(column.name) || new Set();
      set.add(value);
      current.filters.set(column.name, set);
      showAnswer();
    });
    pictureNote.textContent = `Rows by ${column.title.toLowerCase()}` + (of > drawn ? `: the ${drawn} largest of ${of} values.` : ".") + " Click a bar to keep its rows.";
  }
  return shown;
}

/** The buttons that switch between the views that fit the question (its header names them). */
function renderViewBar(views, answer) {
  document.getElementById("ask-count-by").parentElement.hidden = true;
  if (views.length < 2 || !answer.rows.length) {
    viewBar.hidden = true;
    return;
  }
  const buttons = views.map((view) => {
    const button = h("button", { type: "button", "data-view": view, "aria-pressed": view === current.view ? "true" : "false" }, VIEW_NAMES[view] || view);
    button.addEventListener("click", () => {
      current.view = view;
      showAnswer();
    });
    return button;
  });
  viewBar.querySelector(".view-buttons").replaceChildren(...buttons);
  viewBar.hidden = false;
}

/** The address of the answer on show: the question, its parameters, the view (when not the
 * question's default) and the filters. */
function writeAddress() {
  const { name, params, view, by, filters } = current;
  const address = new URLSearchParams(params);
  const views = config.queries[name].views || ["table"];
  const chosen = current.answer.rows.length && (view !== views[0] || (view === "bar" && by));
  if (chosen) address.append(VIEW_KEY, view === "bar" && by ? `${view}.${by}` : view);
  filtersToParams(filters, address);
  const hash = `#ask/${name}?${address}`;
  if (window.location.hash !== hash) history.replaceState(null, "", hash);
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

/** The columns an answer has, as the catalogue describes them: a query with a rollup answers
 * `detail=true` with the SPARQL's own columns, not its rolled-up ones. */
function columnsOf(name, answer) {
  const known = new Map([...(config.queries[name].detail_columns || []), ...config.queries[name].columns].map((c) => [c.name, c]));
  return answer.columns.map((n) => known.get(n)).filter(Boolean);
}

/** The answer as a table; each header is a button that sorts by its column. */
function renderTable(name, answer, shownRows = answer.rows) {
  const columns = columnsOf(name, answer).filter((c) => !c.label_of);
  const rows = shownRows.slice();
  if (!answer.rows.length) {
    tableWrap.replaceChildren(emptyAnswer(name, answer.hint));
    return;
  }
  const table = h("table", { class: "answers", id: "ask-table" });
  table.append(h("caption", { class: "visually-hidden" }, `${config.queries[name].title}: ${rows.length} rows`));
  if (!rows.length) {
    tableWrap.replaceChildren(h("p", { class: "empty", text: "No row holds every value chosen: clear a filter." }));
    return;
  }
  const headRow = h("tr");
  const body = h("tbody");
  const draw = () =>
    body.replaceChildren(...rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: CELL_CLASS[c.type] || null }, cellContent(c, row))))));
  columns.forEach((column, index) => {
    const th = h("th", { scope: "col", "aria-sort": "none", title: column.description, class: column.type === "integer" ? "num" : null });
    const button = h("button", { type: "button", class: "sort" }, titleOf(column.name), h("span", { class: "arrow", "aria-hidden": "true" }));
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
    const { question: params, page } = splitParams(new URLSearchParams(query));
    fill(form, params);
    run(form.dataset.query, params, page);
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
  document.getElementById("ask-count-by").addEventListener("change", (event) => {
    current.by = event.target.value;
    showAnswer();
  });
  questionFilter.closest(".field").hidden = false;
  questionFilter.addEventListener("input", filterQuestions);
  questionFilter.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = [...question.options].find((o) => !o.hidden);
      if (first) {
        choose(first.value);
        history.replaceState(null, "", `#ask/${first.value}`);
        formOf(first.value).querySelector("input:not([type=hidden]), select, button")?.focus();
      }
    }
  });
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
