// Ask before leaving a page with a form marked data-warn-unsaved that has changes not sent yet.
// data-warn-unsaved="refused": the form came back refused, so what it shows was never saved.
// Sending the form itself leaves without asking; the browser words the question itself.
const watched = [...document.querySelectorAll("form[data-warn-unsaved]")];
let sending = null;

function changed(form) {
  if (form.dataset.warnUnsaved === "refused") return true;
  return [...form.elements].some((el) => {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return [...el.options].some((option) => option.selected !== option.defaultSelected);
    if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "hidden" && el.type !== "file")) {
      return el.value !== el.defaultValue;
    }
    return el.type === "file" && el.files.length > 0;
  });
}

watched.forEach((form) => form.addEventListener("submit", () => { sending = form; }));
// Back to a page kept in memory after leaving it: nothing is being sent any more.
window.addEventListener("pageshow", () => { sending = null; });
window.addEventListener("beforeunload", (event) => {
  if (watched.some((form) => form !== sending && changed(form))) {
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when this is set
  }
});
