// Shared helpers of the web page: the page's settings, API calls with readable errors, links.

/** Settings the server wrote into the page (base IRI, canned-query columns, example queries). */
export const config = JSON.parse(document.getElementById("cmskg-config").textContent);

/** An API failure carrying what the server said (its status and JSON body), so the page can say
 * it in words (errors.js); the message is the server's detail, never shown with the status. */
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body || {};
  }
}

/** GET a JSON answer; on failure throw ApiError with the server's detail (JSON or plain text). */
export async function getJson(url, signal) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "The server could not be reached. Is it running?");
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = (body && body.detail) || text.trim() || response.statusText;
    throw new ApiError(response.status, detail, body);
  }
  return body;
}

/** Is this a value a link can be made from? Only http(s) IRIs: a `javascript:` or `data:` IRI in
 * the data must never become a live link. */
export function isIri(value) {
  return typeof value === "string" && /^https?:\/\/\S+$/i.test(value);
}

/** Where a resource's page is: IRIs we mint are served under this server's /id/ and /ontology;
 * other http(s) IRIs are linked as they are; anything else gives null (show it as text). */
export function pageOf(iri) {
  if (!isIri(iri)) return null;
  if (iri.startsWith(config.base)) return "/" + iri.slice(config.base.length);
  return iri;
}

/** A link to the resource's page, or its label as plain text when the IRI may not be linked. */
export function linkTo(iri, label) {
  const href = pageOf(iri);
  return href === null ? h("span", { class: "unlinked", title: String(iri) }, label) : h("a", { href }, label);
}

/** Create an element with attributes and children (strings become text, never HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) el.append(child);
  }
  return el;
}

/** Fill a <datalist> with label suggestions as the user types (debounced, latest answer wins). */
export function completeFromGraph(input) {
  const list = document.getElementById(input.getAttribute("list"));
  const kind = input.dataset.kind;
  let timer = null;
  let controller = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 1) return;
    timer = setTimeout(async () => {
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const params = new URLSearchParams({ kind, q: text, limit: "15" });
        const options = await getJson(`/web/labels?${params}`, controller.signal);
        list.replaceChildren(
          ...options.map((o) => h("option", { value: o.label }, o.matched ? `${o.matched} — ${o.label}` : o.label)),
        );
        input.dataset.suggestions = String(options.length);
      } catch (error) {
        if (error.name !== "AbortError") list.replaceChildren();
      }
    }, 150);
  });
}
