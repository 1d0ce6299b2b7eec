// Facets beside an answer: counts per value of each categorical column (the answer's `facets`,
// computed by app/canned/facets.py), each value a button that filters the rows; several at once
// (any of the values chosen in one column, and every column chosen). The filters live in the
// address (#ask/arrangements?party=IFAW&_kind=…), so a filtered view can be shared.
import { h } from "./util.js";

/** Keys of the address that are the page's, not the question's: a parameter name never starts
 * with "_" (app/canned/spec.py, IDENTIFIER), so `_view` and `_<column>` cannot collide. */
export const PAGE_KEY = "_";
export const VIEW_KEY = "_view";
const SEPARATOR = "; ";
const SHOWN = 8; // values shown per column before "Show all"

/** How a column's cells count: by year for dates, else by value (app/canned/facets.py). */
export function ruleOf(column) {
  return column.type === "date" ? "year" : "value";
}

/** What one cell counts as: the rule of app/canned/facets.py (`cell_values`); a rolled-up list
 * counts each of its items once. */
export function valuesOf(by, value) {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => valuesOf(by, item)))];
  if (value === null || value === undefined || value === "") return [];
  const text = String(value);
  if (by === "year") return [text.slice(0, 4)];
  if (text.includes(SEPARATOR)) return [...new Set(text.split(SEPARATOR).filter(Boolean))];
  return [text];
}

/** Digits compare as numbers, the rest as case-folded text (app/canned/cells.py, natural_key). */
function naturalCompare(a, b) {
  const split = (text) => String(text).split(/(\d+)/).filter(Boolean);
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const xd = /^\d+$/.test(x[i]);
    const yd = /^\d+$/.test(y[i]);
    if (xd !== yd) return xd ? -1 : 1;
    const order = xd ? Number(x[i]) - Number(y[i]) : x[i].toLowerCase() < y[i].toLowerCase() ? -1 : x[i].toLowerCase() > y[i].toLowerCase() ? 1 : 0;
    if (order) return order;
  }
  return x.length - y.length;
}

/** Counts of one column over some rows, ordered as the API orders them: most first, then by
 * label and value; years in time order. */
export function countBy(rows, column) {
  const by = ruleOf(column);
  const counts = new Map();
  const labels = new Map();
  for (const row of rows) {
    const values = valuesOf(by, row[column.name]);
    for (const value of values) counts.set(value, (counts.get(value) || 0) + 1);
    const value = row[column.name];
    const label = row[`${column.name}_label`];
    if (Array.isArray(value) && Array.isArray(label)) {
      value.forEach((item, i) => labels.has(item) || labels.set(item, label[i])); // the same order
    } else if (values.length && label && !labels.has(values[0])) labels.set(values[0], label);
  }
  const entries = [...counts].map(([value, count]) => ({ value, count, label: labels.get(value) || value }));
  if (by === "year") return entries.sort((a, b) => (a.value < b.value ? -1 : 1));
  return entries.sort((a, b) => b.count - a.count || naturalCompare(a.label, b.label) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** The filters named in the address: {column: Set(values)} for the columns the answer has. */
export function filtersFrom(params, columns) {
  const names = new Set(columns.map((c) => c.name));
  const filters = new Map();
  for (const [key, value] of params) {
    const column = key.slice(PAGE_KEY.length);
    if (key.startsWith(PAGE_KEY) && key !== VIEW_KEY && names.has(column)) {
      if (!filters.has(column)) filters.set(column, new Set());
      filters.get(column).add(value);
    }
  }
  return filters;
}

/** The filters as address parameters, columns and values sorted (one address per filtered view). */
export function filtersToParams(filters, params) {
  for (const column of [...filters.keys()].sort()) {
    for (const value of [...filters.get(column)].sort()) params.append(PAGE_KEY + column, value);
  }
  return params;
}

/** The rows every filter keeps. */
export function filterRows(rows, columns, filters) {
  const active = columns.filter((c) => filters.has(c.name) && filters.get(c.name).size);
  if (!active.length) return rows;
  return rows.filter((row) => active.every((c) => valuesOf(ruleOf(c), row[c.name]).some((v) => filters.get(c.name).has(v))));
}

/** Draw the facet panel: one group per column of `facets`, each value a toggle button with its
 * count; `onChange(filters)` is called after each click. The values and their order are the
 * API's; with filters on, each count is of the rows the other columns' filters keep (what
 * choosing the value would add), as faceted search shows them. */
export function renderFacets(panel, facets, columns, filters, titleOf, onChange, rows = []) {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const groups = [];
  for (const [name, facet] of Object.entries(facets || {})) {
    if (!byName.has(name)) continue;
    const chosen = filters.get(name) || new Set();
    let live = null; // value -> count under the other columns' filters, when any are on
    if ([...filters.keys()].some((other) => other !== name)) {
      const others = new Map([...filters].filter(([other]) => other !== name));
      live = new Map(countBy(filterRows(rows, columns, others), byName.get(name)).map((e) => [e.value, e.count]));
    }
    const list = h("ul", { class: "facet-values" });
    const buttons = facet.values.map((entry, index) => {
      const pressed = chosen.has(entry.value);
      const button = h(
        "button",
        { type: "button", class: "facet-value", "aria-pressed": pressed ? "true" : "false", "data-column": name, "data-value": entry.value },
        h("span", { class: "facet-label" }, entry.label || entry.value),
        " ",
        h("span", { class: "facet-count" }, String(live ? live.get(entry.value) || 0 : entry.count)),
      );
      button.addEventListener("click", () => {
        const set = filters.get(name) || new Set();
        if (set.has(entry.value)) set.delete(entry.value);
        else set.add(entry.value);
        if (set.size) filters.set(name, set);
        else filters.delete(name);
        onChange(filters);
      });
      const item = h("li", {}, button);
      if (index >= SHOWN && !pressed) item.hidden = true;
      list.append(item);
      return item;
    });
    const group = h("section", { class: "facet", "data-column": name }, h("h4", {}, titleOf(name)), list);
    if (buttons.some((item) => item.hidden)) {
      const more = h("button", { type: "button", class: "link facet-more" }, `Show all ${buttons.length}`);
      more.addEventListener("click", () => {
        for (const item of buttons) item.hidden = false;
        more.remove();
      });
      group.append(more);
    }
    groups.push(group);
  }
  if (filters.size) {
    const clear = h("button", { type: "button", id: "ask-facets-clear" }, "Clear the filters");
    clear.addEventListener("click", () => {
      filters.clear();
      onChange(filters);
    });
    groups.unshift(clear);
  }
  panel.replaceChildren(...(groups.length ? [h("h3", { class: "facets-title" }, "Narrow it down"), ...groups] : []));
  panel.hidden = !groups.length;
}
