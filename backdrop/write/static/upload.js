// The upload page: sends the chosen file to POST /data/<group>/<type>/upload with the token
// as a bearer token, as any client would, and shows the answer. The token stays in this
// page's memory: it is never stored, and never sent anywhere but in that request's
// Authorization header. Every value is written as text (textContent).
"use strict";
(function () {
  const form = document.getElementById("upload");
  const result = document.getElementById("result");
  const title = document.getElementById("result-title");
  const message = document.getElementById("result-message");
  const errors = document.getElementById("result-errors");

  function show(ok, heading, text, items) {
    result.className = "notice " + (ok ? "ok" : "error");
    title.textContent = heading;
    message.textContent = text;
    errors.replaceChildren();
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = item;
      errors.appendChild(li);
    }
    result.hidden = false;
    result.dataset.outcome = ok ? "ok" : "error";
  }

  function problems(answer) {
    if (Array.isArray(answer.errors)) {
      return answer.errors.map((error) => "Row " + error.row + ": " + error.message);
    }
    if (Array.isArray(answer.messages)) return answer.messages.map(String);
    return [];
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const group = form.elements.data_group.value.trim();
    const type = form.elements.data_type.value.trim();
    const file = form.elements.file.files[0];
    if (!file) return;
    const body = new FormData();
    body.append("file", file, file.name);
    const button = form.querySelector("button");
    button.disabled = true;
    delete result.dataset.outcome;
    try {
      const response = await fetch(
        "/data/" + encodeURIComponent(group) + "/" + encodeURIComponent(type) + "/upload",
        {
          method: "POST",
          headers: { Authorization: "Bearer " + form.elements.token.value },
          body: body,
          credentials: "omit",
        },
      );
      let answer = {};
      try {
        answer = await response.json();
      } catch (error) {
        answer = {};
      }
      if (response.ok) {
        const count = answer.records_written;
        show(true, "Your upload was ok",
             count + (count === 1 ? " record" : " records") + " written to " + group + "/" + type + ".",
             []);
      } else {
        const text = typeof answer.message === "string" ? answer.message
          : "The records were refused; nothing was written.";
        show(false, "There was an error with your upload", text, problems(answer));
      }
    } catch (error) {
      show(false, "There was an error with your upload", "The write API did not answer.", []);
    } finally {
      button.disabled = false;
    }
  });
})();
