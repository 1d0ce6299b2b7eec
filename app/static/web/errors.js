// Errors in words an analyst reads. The API's JSON errors name the parameter by its internal name
// and carry an HTTP status; the page says instead what is wrong with which field, by the label the
// person sees, and offers the close labels the API suggests as buttons.
import { ApiError, h } from "./util.js";

const IRI_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The label a person sees for a field ("Subject"), without the "(required)" mark. */
function labelOf(control) {
  const label = control.labels && control.labels[0];
  const text = label ? label.textContent.replace(/\(required\)/i, "") : control.name;
  return text.trim();
}

/** A message as a sentence: a capital first letter and a full stop. */
function sentence(text) {
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** What is wrong with one field's value, starting with the field's label. */
function aboutField(label, message) {
  // "is required", "must be at least 1": the label is the sentence's subject.
  if (/^(is|must) /.test(message)) return sentence(`${label} ${message}`);
  return `${label}: ${sentence(message)}`;
}

/** A label that names nothing: "No subject called 'whale sharks'." */
function notFound(label, value, suggestions) {
  const what = label.toLowerCase();
  const text = IRI_LIKE.test(value) ? `Nothing in the graph is a ${what} with the address ${value}.` : `No ${what} called '${value}'.`;
  return suggestions.length ? text : `${text} Check the spelling, or choose one of the names offered as you type.`;
}

/**
 * What to tell the person about a failed request: { text, control, suggestions }.
 * `form` is the form that asked (or null) and `sent` the values it sent, so a value a dropdown
 * could not show is still named.
 */
export function explain(error, form, sent) {
  if (!(error instanceof ApiError)) return { text: "Something went wrong in the page. Reload it and try again.", suggestions: [] };
  const body = error.body || {};
  if (error.status === 0) return { text: error.message, suggestions: [] };
  if (error.status === 503 || error.status === 429) {
    return { text: "The server is busy, or the question took too long to answer. Try again in a moment.", suggestions: [] };
  }
  if (error.status >= 500) {
    return { text: "The server could not answer the question. Try again later.", suggestions: [] };
  }
  const control = body.parameter && form ? form.elements.namedItem(body.parameter) : null;
  if (body.parameter && form && !control) {
    return { text: "The link gives a value this question does not take, so it was not asked. Fill in the form and run it.", suggestions: [] };
  }
  if (control) {
    const label = labelOf(control);
    const value = (sent && sent.get(body.parameter)) || control.value || "";
    if (Array.isArray(body.suggestions)) {
      return { text: notFound(label, value.trim(), body.suggestions), control, suggestions: body.suggestions };
    }
    return { text: aboutField(label, body.message || body.detail), control, suggestions: [] };
  }
  return { text: sentence(`The question could not be answered: ${body.message || error.message}`), suggestions: [] };
}

/** The option of a dropdown named by a close label (the API suggests labels; options carry IRIs). */
function optionFor(select, suggestion) {
  return [...select.options].find((o) => o.textContent.trim().toLowerCase() === suggestion.toLowerCase());
}

/** Put a close label into the field: a text field takes it as typed, a dropdown picks the option of
 * that name. */
function use(control, suggestion) {
  if (control.tagName === "SELECT") control.value = optionFor(control, suggestion).value;
  else control.value = suggestion;
}

/** Show a failed request in its alert box; each suggestion is a button that fills the field in
 * and asks again (a dropdown offers only the suggestions it has an option for). */
export function showProblem(box, error, form, sent) {
  const { text, control, suggestions } = explain(error, form, sent);
  box.replaceChildren(h("p", { text }));
  if (control && control.setAttribute) control.setAttribute("aria-invalid", "true");
  const usable = control ? suggestions.filter((s) => control.tagName !== "SELECT" || optionFor(control, s)) : [];
  if (usable.length) {
    const retry = (s) => () => {
      use(control, s);
      form.requestSubmit();
    };
    box.append(
      h("p", {}, "Did you mean:"),
      h("ul", { class: "suggestions" }, usable.map((s) => h("li", {}, h("button", { type: "button", class: "link", onclick: retry(s) }, s)))),
    );
  }
  box.hidden = false;
}

/** Take a shown problem away: the alert box and the fields it marked. */
export function clearProblem(box, form) {
  box.hidden = true;
  if (form) for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}
