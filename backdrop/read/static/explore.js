// The query builder page. The page URL's query string is the query: this script sends it,
// less its empty fields, to the read API as any client would, then shows the answer as a
// chart, a table of its rows, the API URL, a curl line and a CSV link. Every value is
// written as text (textContent), never parsed as markup.
"use strict";
(function () {
  const root = document.getElementById("explorer");
  const form = document.getElementById("builder");
  const apiPath = root.dataset.apiPath;
  const rawAllowed = root.dataset.rawAllowed === "true";
  const COLORS = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#b58840", "#28a197",
                  "#6f72af"];
  // Keys storage adds to every record; the latest-records table leaves them out.
  const DERIVED = /^_(updated_at|(hour|day|week|month|quarter|year)_start_at)$/;

  /** The non-empty parameters of a query string, in order. */
  function queryParams(search) {
    const params = new URLSearchParams();
    for (const [key, value] of new URLSearchParams(search)) {
      if (value !== "") params.append(key, value);
    }
    return params;
  }

  function apiUrl(params) {
    const url = new URL(apiPath, window.location.origin);
    url.search = params.toString();
    return url;
  }

  function shellQuote(text) {
    return "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function cellText(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  /** Fill a table with a header row of `columns` and one row per object. */
  function fillTable(table, columns, rows) {
    const head = document.createElement("thead");
    const headRow = head.insertRow();
    for (const column of columns) {
      const th = document.createElement("th");
      th.textContent = column;
      headRow.appendChild(th);
    }
    const body = document.createElement("tbody");
    for (const row of rows) {
      const tr = body.insertRow();
      for (const column of columns) {
        const td = tr.insertCell();
        td.textContent = cellText(row[column]);
        if (typeof row[column] === "number") td.className = "number";
      }
    }
    table.replaceChildren(head, body);
  }

  /** The sorted union of the rows' keys, as the CSV download has them. */
  function columnsOf(rows) {
    const keys = new Set();
    for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
    return Array.from(keys).sort();
  }

  /** Nested period + group_by answers become one row per group and period. */
  function flatRows(params, rows) {
    const groupBy = params.getAll("group_by");
    const nested = params.has("period") && groupBy.length > 0;
    const out = [];
    for (const row of rows) {
      if (nested && Array.isArray(row.values)) {
        const group = {};
        for (const field of groupBy) group[field] = row[field];
        for (const entry of row.values) out.push(Object.assign({}, group, entry));
      } else {
        out.push(row);
      }
    }
    return out;
  }

  /** What the chart plots: the first summed, averaged or counted collect, else `_count`. */
  function metricOf(params) {
    return params.getAll("collect").find((value) => /:(sum|mean|count)$/.test(value)) || "_count";
  }

  function groupLabel(row, groupBy) {
    return groupBy.map((field) => cellText(row[field])).join(" / ");
  }

  function number(value) {
    return typeof value === "number" ? value : null;
  }

  /** A time series per group for period queries; bars per group for grouped totals. */
  function chartSpec(params, rows) {
    const groupBy = params.getAll("group_by");
    const metric = metricOf(params);
    if (params.has("period")) {
      const series = new Map();
      const add = (label, row) => {
        if (!series.has(label)) series.set(label, new Map());
        series.get(label).set(Date.parse(row._start_at) / 1000, number(row[metric]));
      };
      for (const row of rows) {
        if (Array.isArray(row.values)) {
          for (const entry of row.values) add(groupLabel(row, groupBy), entry);
        } else {
          add(groupBy.length ? groupLabel(row, groupBy) : metric, row);
        }
      }
      const times = new Set();
      for (const points of series.values()) for (const time of points.keys()) times.add(time);
      const x = Array.from(times).sort((a, b) => a - b);
      return {
        time: true,
        metric: metric,
        x: x,
        labels: null,
        series: Array.from(series, ([label, points]) => ({
          label: label,
          values: x.map((time) => (points.has(time) ? points.get(time) : null)),
        })),
      };
    }
    if (groupBy.length) {
      return {
        time: false,
        metric: metric,
        x: rows.map((_, index) => index),
        labels: rows.map((row) => groupLabel(row, groupBy)),
        series: [{ label: metric, values: rows.map((row) => number(row[metric])) }],
      };
    }
    return null;
  }

  function drawChart(spec) {
    const element = document.getElementById("chart");
    const caption = document.getElementById("chart-caption");
    element.replaceChildren();
    element.dataset.series = spec ? String(spec.series.length) : "0";
    element.dataset.points = spec ? String(spec.x.length) : "0";
    if (!spec) {
      caption.textContent = "Raw records have no chart: add a period or a group_by.";
      return;
    }
    caption.textContent = spec.time
      ? spec.metric + " per period, one line per group"
      : spec.metric + " per group";
    const bars = !spec.time;
    const options = {
      width: Math.max(320, element.clientWidth || 800),
      height: 320,
      scales: {
        x: bars
          ? { time: false, range: () => [-0.5, Math.max(spec.x.length, 1) - 0.5] }
          : { time: true },
      },
      axes: bars
        ? [{ splits: () => spec.x, values: (u, splits) => splits.map((i) => spec.labels[i] ?? "") },
           {}]
        : [{}, {}],
      series: [{ label: bars ? "group" : "time" }].concat(
        spec.series.map((series, index) => {
          const color = COLORS[index % COLORS.length];
          return {
            label: series.label,
            stroke: color,
            width: 2,
            fill: bars ? color + "bb" : undefined,
            paths: bars ? uPlot.paths.bars({ size: [0.7, 80] }) : undefined,
            points: { show: !bars && spec.x.length <= 60 },
          };
        }),
      ),
    };
    new uPlot(options, [spec.x].concat(spec.series.map((series) => series.values)), element);
  }

  function showError(message) {
    const box = document.getElementById("query-error");
    box.textContent = message;
    box.hidden = false;
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      const message = body && (body.message || body.messages);
      throw new Error(message ? cellText(message) : "The API answered " + response.status);
    }
    return body;
  }

  async function runQuery(params) {
    const url = apiUrl(params);
    document.getElementById("hint").hidden = true;
    let body;
    try {
      body = await getJson(url);
    } catch (error) {
      showError(error.message);
      return;
    }
    const warning = document.getElementById("warning");
    warning.textContent = body.warning || "";
    warning.hidden = !body.warning;
    const rows = flatRows(params, body.data);
    fillTable(document.getElementById("results"), columnsOf(rows), rows);
    document.getElementById("api-url").textContent = url.href;
    document.getElementById("curl").textContent = "curl " + shellQuote(url.href);
    const csv = document.getElementById("csv-link");
    const csvUrl = new URL(url.href);
    csvUrl.searchParams.set("format", "csv");
    csv.href = csvUrl.href;
    csv.hidden = Boolean(body.warning); // unpublished data sets never answer CSV
    document.getElementById("answer").hidden = false;
    drawChart(chartSpec(params, body.data));
  }

  async function showLatest() {
    const params = new URLSearchParams({ sort_by: "_timestamp:descending", limit: "20" });
    try {
      const body = await getJson(apiUrl(params));
      const rows = body.data;
      const columns = columnsOf(rows).filter((column) => !DERIVED.test(column));
      fillTable(document.getElementById("latest-records"), columns, rows);
    } catch (error) {
      document.getElementById("latest-records").textContent = error.message;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = queryParams(new URLSearchParams(new FormData(form)).toString()).toString();
    window.location.assign(window.location.pathname + (query ? "?" + query : ""));
  });

  const params = queryParams(window.location.search);
  const work = [];
  if (Array.from(params.keys()).length) work.push(runQuery(params));
  if (rawAllowed) work.push(showLatest());
  Promise.all(work).then(() => {
    root.dataset.ready = "true";
  });
})();
