// The data set list's filter box: hides the rows whose name, group and type do not contain
// what is typed. Text only; no markup is built from data.
"use strict";
(function () {
  const input = document.getElementById("filter");
  const count = document.getElementById("filter-count");
  const rows = Array.from(document.querySelectorAll("#data-sets tbody tr[data-search]"));
  function apply() {
    const wanted = input.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows) {
      const match = row.dataset.search.toLowerCase().includes(wanted);
      row.hidden = !match;
      if (match) shown += 1;
    }
    count.textContent = wanted ? shown + " of " + rows.length : "";
  }
  input.addEventListener("input", apply);
  apply();
})();
