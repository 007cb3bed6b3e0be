// workbench SliceExplorer front end (anywidget ESM, no dependencies, nothing loaded from a CDN).
//
// Slice names, metric names and model names are untrusted: they reach the page only as text
// nodes (textContent, or append() of a string); nothing here parses HTML.

function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value; // DOM properties only (className, value, selected, title...)
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function fmt(value) {
  if (value === null || value === undefined) return "–";
  return String(Number(value.toPrecision(3)));
}

function estimate(cell) {
  if (cell.est === null || cell.est === undefined) return `– n=${cell.n}${cell.note ? ` (${cell.note})` : ""}`;
  const ci = cell.lo !== null && cell.hi !== null ? ` [${fmt(cell.lo)}, ${fmt(cell.hi)}]` : "";
  return `${fmt(cell.est)}${ci} n=${cell.n}`;
}

function render({ model, el }) {
  const listeners = [];
  const on = (names, fn) => {
    for (const name of names.split(" ")) {
      model.on(`change:${name}`, fn);
      listeners.push([`change:${name}`, fn]);
    }
  };
  const send = (name, value) => {
    model.set(name, value);
    model.save_changes();
  };

  const metricSel = h("select", { title: "metric", onchange: () => send("metric", metricSel.value) });
  const statSel = h("select", { title: "statistic", onchange: () => send("stat", statSel.value) }, [
    h("option", { value: "mean", text: "mean" }),
    h("option", { value: "pass_rate", text: "pass rate" }),
  ]);
  const errorBox = h("pre", { className: "wb-error" });
  const hint = h("span", { className: "wb-status", text: "largest gap between models first; click a slice to browse its cases" });
  const table = h("table", { className: "wb-table wb-slices" });

  function renderControls() {
    const metrics = model.get("metrics") || [];
    metricSel.replaceChildren(...metrics.map((m) => h("option", { value: m, text: m, selected: m === model.get("metric") })));
    statSel.value = model.get("stat");
    const error = model.get("error");
    errorBox.textContent = error;
    errorBox.hidden = !error;
  }

  function scale(rows) {
    // Bars share one scale: [0, 1] when every number fits (rates, most scores), else [0, max].
    let top = 1;
    for (const row of rows) for (const c of row.cells) for (const v of [c.est, c.hi]) if (v !== null && v > top) top = v;
    return top;
  }

  function bar(cell, top) {
    const outer = h("div", { className: "wb-bar" });
    if (cell.est === null || cell.est === undefined || cell.est < 0) return outer;
    const fill = h("div", { className: "wb-bar-fill" });
    fill.style.width = `${Math.min(100, (100 * cell.est) / top)}%`;
    outer.append(fill);
    if (cell.lo !== null && cell.hi !== null && cell.lo >= 0) {
      const ci = h("div", { className: "wb-bar-ci" });
      ci.style.left = `${Math.min(100, (100 * cell.lo) / top)}%`;
      ci.style.width = `${Math.max(0, Math.min(100, (100 * (cell.hi - cell.lo)) / top))}%`;
      outer.append(ci);
    }
    return outer;
  }

  function renderTable() {
    const cols = model.get("columns") || [];
    const rows = model.get("rows") || [];
    const selected = model.get("selected_slice");
    const top = scale(rows);
    const head = h("thead", {}, h("tr", {}, [h("th", { text: "slice" }), h("th", { text: "gap" }), ...cols.map((c) => h("th", { text: c }))]));
    const body = h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {
            className: row.label === selected ? "wb-row wb-current" : "wb-row",
            title: "show this slice's cases",
            onclick: () => send("selected_slice", row.label === selected ? "" : row.label),
          },
          [
            h("td", { text: row.label }),
            h("td", { className: "wb-num", text: fmt(row.gap) }),
            ...row.cells.map((c) => h("td", { className: "wb-num" }, [h("div", { text: estimate(c) }), bar(c, top)])),
          ],
        ),
      ),
    );
    table.replaceChildren(head, body);
  }

  el.append(
    h("div", { className: "wb-explorer" }, [h("div", { className: "wb-filters" }, [metricSel, statSel, hint]), errorBox, table]),
  );
  on("metrics metric stat error", renderControls);
  on("rows columns selected_slice", renderTable);
  renderControls();
  renderTable();

  return () => {
    for (const [event, fn] of listeners) model.off(event, fn);
  };
}

export default { render };
