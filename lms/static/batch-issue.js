// Issue certificates batch by batch, showing progress; without JavaScript the form posts one batch at a time.
// Any answer that is not a batch's JSON (a request for the password again, an error page) falls back to that post.
async function issueBatch(form) {
  try {
    const response = await fetch(form.action, {method: "POST", body: new FormData(form),
                                               headers: {"Accept": "application/json"}});
    const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
    return response.ok && !response.redirected && json ? await response.json() : null;
  } catch (error) {
    return null;
  }
}

document.querySelectorAll("form[data-batch-issue]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = document.querySelector("[data-batch-progress]");
    const bar = box.querySelector("progress");
    const status = box.querySelector("[data-batch-status]");
    const button = form.querySelector("button");
    button.disabled = true;
    box.hidden = false;
    let issued = 0;
    for (;;) {
      const result = await issueBatch(form);
      if (!result) { form.submit(); return; }
      issued += result.issued;
      bar.max = issued + result.waiting;
      bar.value = issued;
      status.textContent = `${issued} / ${issued + result.waiting}`;
      if (result.waiting === 0 || result.issued === 0) { window.location.reload(); return; }
    }
  });
});
