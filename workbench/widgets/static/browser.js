// workbench CaseBrowser front end (anywidget ESM, no dependencies, nothing loaded from a CDN).
//
// Case inputs, outputs, references, tags, rationales and metadata are untrusted. They reach the
// page only as text nodes (textContent, or append() of a string); nothing here parses HTML.

const COMPARISONS = ["<", "<=", ">", ">=", "==", "!="];
const OPS = ["failed", "passed", "missing", ...COMPARISONS];
const ROLES = ["system", "user", "assistant", "tool"];

function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value; // DOM properties only (className, type, value, checked, title...)
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function fmt(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(Number(value.toPrecision(3)));
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

function debounce(fn, ms) {
  let timer = null;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}

function select(options, current, label, onchange) {
  const node = h("select", { onchange });
  for (const value of options) {
    node.append(h("option", { value, text: label(value), selected: value === current }));
  }
  return node;
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

  // -- filters --------------------------------------------------------------------------------
  const sendTags = debounce((value) => send("tag_expr", value), 400);
  const sendQuery = debounce((value) => send("query", value), 250);
  const tagInput = h("input", {
    type: "text",
    className: "wb-input wb-tag-input",
    placeholder: "tags: billing and not intent:*",
    title: "tag expression (and, or, not, parentheses, prefix*)",
    value: model.get("tag_expr"),
    oninput: () => sendTags(tagInput.value),
    onkeydown: (e) => {
      if (e.key === "Enter") {
        sendTags.cancel();
        send("tag_expr", tagInput.value);
      }
    },
  });
  const queryInput = h("input", {
    type: "search",
    className: "wb-input",
    placeholder: "search text",
    title: "case-insensitive text in the id, input, reference or outputs",
    value: model.get("query"),
    oninput: () => sendQuery(queryInput.value),
  });
  const facetBox = h("span", { className: "wb-facets" });
  const scoreBox = h("span", { className: "wb-score-filter" });
  const errorBox = h("pre", { className: "wb-error" });

  function renderFacets() {
    const facets = model.get("facets") || {};
    const meta = model.get("metadata") || {};
    const nodes = Object.entries(facets).map(([col, values]) => {
      const current = col in meta ? values.findIndex((v) => v === meta[col]) : -1;
      const options = ["", ...values.map((_, i) => String(i))];
      const node = select(options, current < 0 ? "" : String(current), (v) =>
        v === "" ? `${col}: any` : `${col}: ${fmt(values[Number(v)])}`,
      () => {
        const next = { ...(model.get("metadata") || {}) };
        if (node.value === "") delete next[col];
        else next[col] = values[Number(node.value)];
        send("metadata", next);
      });
      node.title = col;
      return node;
    });
    facetBox.replaceChildren(...nodes);
  }

  function renderScoreFilter() {
    const metrics = model.get("metrics") || [];
    if (!metrics.length) {
      scoreBox.replaceChildren();
      return;
    }
    const current = model.get("score_filter") || {};
    const apply = () => {
      if (!metricSel.value) return send("score_filter", {});
      const spec = { metric: metricSel.value, op: opSel.value };
      if (modelSel.value) spec.model = modelSel.value;
      if (COMPARISONS.includes(opSel.value)) {
        if (valueInput.value === "") return;
        spec.value = Number(valueInput.value);
      }
      send("score_filter", spec);
    };
    const metricSel = select(["", ...metrics], current.metric || "", (m) => (m ? m : "score: any"), apply);
    const models = model.get("models") || [];
    const modelSel = select(["", ...models], current.model || "", (m) => (m ? m : "any model"), apply);
    const opSel = select(OPS, current.op || "failed", (o) => o, apply);
    const valueInput = h("input", {
      type: "number",
      step: "any",
      className: "wb-input wb-num-input",
      placeholder: "value",
      value: current.value === undefined ? "" : String(current.value),
      onchange: apply,
    });
    scoreBox.replaceChildren(metricSel, modelSel, opSel, valueInput);
  }

  // -- status and pager -----------------------------------------------------------------------
  const status = h("span", { className: "wb-status" });
  const pageInput = h("input", {
    type: "number",
    min: 1,
    className: "wb-input wb-num-input",
    title: "page",
    onchange: () => send("page", Math.max(0, Number(pageInput.value) - 1)),
  });
  const prev = h("button", { text: "‹ prev", onclick: () => send("page", model.get("page") - 1) });
  const next = h("button", { text: "next ›", onclick: () => send("page", model.get("page") + 1) });
  const selInfo = h("span", { className: "wb-selinfo" });
  const clearSel = h("button", { text: "clear selection", onclick: () => send("selection", []) });

  function renderStatus() {
    const page = model.get("page");
    const pages = model.get("n_pages");
    status.textContent =
      `${model.get("n_filtered").toLocaleString()} of ${model.get("n_total").toLocaleString()} cases` +
      ` · page ${page + 1} of ${pages}`;
    if (document.activeElement !== pageInput) pageInput.value = String(page + 1);
    prev.disabled = page <= 0;
    next.disabled = page >= pages - 1;
    const n = (model.get("selection") || []).length;
    selInfo.textContent = n ? `${n} selected` : "";
    clearSel.hidden = n === 0;
    const error = model.get("error");
    errorBox.textContent = error;
    errorBox.hidden = !error;
  }

  // -- table ----------------------------------------------------------------------------------
  const table = h("table", { className: "wb-table" });
  const empty = h("div", { className: "wb-empty", text: "No case matches the filters." });

  function toggle(ids, checked) {
    const keep = (model.get("selection") || []).filter((id) => !ids.includes(id));
    send("selection", checked ? [...keep, ...ids] : keep);
  }

  function cell(col, row) {
    const value = row[col.key];
    if (col.kind === "tags") {
      return h("td", { className: "wb-tags" }, (value || []).map((t) => h("span", { className: "wb-tag", text: t })));
    }
    if (col.kind === "score") {
      const passed = row[col.passed];
      const cls = passed === false ? " wb-fail" : passed === true ? " wb-pass" : "";
      return h("td", { className: `wb-num${cls}`, text: fmt(value) });
    }
    if (col.kind === "output" && (value === null || value === undefined) && row[col.error]) {
      return h("td", { className: "wb-err", text: `error: ${row[col.error]}` });
    }
    return h("td", { className: `wb-cell-${col.kind}`, text: fmt(value) });
  }

  function renderTable() {
    const cols = model.get("columns") || [];
    const rows = model.get("rows") || [];
    const chosen = new Set(model.get("selection") || []);
    const selectedId = model.get("selected_id");
    const pageIds = rows.map((r) => r.case_id);
    const all = h("input", {
      type: "checkbox",
      title: "select this page",
      checked: rows.length > 0 && pageIds.every((id) => chosen.has(id)),
      onchange: () => toggle(pageIds, all.checked),
    });
    const head = h("thead", {}, h("tr", {}, [h("th", {}, all), ...cols.map((c) => h("th", { text: c.label, title: c.key }))]));
    const body = h(
      "tbody",
      {},
      rows.map((row) => {
        const box = h("input", {
          type: "checkbox",
          checked: chosen.has(row.case_id),
          onclick: (e) => e.stopPropagation(),
          onchange: () => toggle([row.case_id], box.checked),
        });
        return h(
          "tr",
          {
            className: row.case_id === selectedId ? "wb-row wb-current" : "wb-row",
            onclick: () => send("selected_id", row.case_id === selectedId ? "" : row.case_id),
          },
          [h("td", {}, box), ...cols.map((c) => cell(c, row))],
        );
      }),
    );
    table.replaceChildren(head, body);
    empty.hidden = rows.length > 0;
  }

  // -- detail ---------------------------------------------------------------------------------
  const detail = h("div", { className: "wb-detail" });

  const section = (title, content) => h("div", { className: "wb-section" }, [h("div", { className: "wb-section-title", text: title }), content]);

  function segments(segs) {
    return h(
      "div",
      { className: "wb-text" },
      segs.map((s) => h("span", { className: s.op === "ins" ? "wb-ins" : s.op === "del" ? "wb-del" : "wb-eq", text: s.text })),
    );
  }

  function renderDetail() {
    const d = model.get("detail") || {};
    if (!d.case_id) {
      detail.replaceChildren();
      detail.hidden = true;
      return;
    }
    detail.hidden = false;
    const parts = [];
    parts.push(
      h("div", { className: "wb-detail-head" }, [
        h("b", { text: d.case_id }),
        ...(d.tags || []).map((t) => h("span", { className: "wb-tag", text: t })),
        h("button", { text: "close", onclick: () => send("selected_id", "") }),
      ]),
    );
    const meta = Object.entries(d.metadata || {});
    if (meta.length) {
      parts.push(h("div", { className: "wb-meta" }, meta.map(([k, v]) => h("span", { text: `${k}: ${fmt(v)}` }))));
    }
    const input = d.input || {};
    if (input.kind === "chat") {
      parts.push(
        section(
          "input (chat)",
          h(
            "div",
            {},
            (input.turns || []).map((turn) =>
              h("div", { className: `wb-turn wb-role-${ROLES.includes(turn.role) ? turn.role : "other"}` }, [
                h("div", { className: "wb-role", text: turn.role }),
                h("div", { className: "wb-text", text: turn.content }),
              ]),
            ),
          ),
        ),
      );
    } else {
      parts.push(section("input", h("div", { className: "wb-text", text: input.text })));
    }
    if ((d.context || []).length) {
      parts.push(section("context", h("ol", { className: "wb-context" }, d.context.map((p) => h("li", { className: "wb-text", text: p })))));
    }
    if (d.reference !== null && d.reference !== undefined) {
      parts.push(section("reference", h("div", { className: "wb-text", text: d.reference })));
    }
    const outputs = d.outputs || [];
    if (outputs.length) {
      const base = d.diff_base === "reference" ? "the reference" : d.diff_base;
      const title = base ? `outputs (differences against ${base}: added, removed)` : "outputs";
      const cards = outputs.map((o) => {
        const info = [o.sample ? `sample ${o.sample}` : "", o.latency_s !== null ? `${fmt(o.latency_s)} s` : ""].filter(Boolean).join(" · ");
        let body;
        if (o.output === null) body = h("div", { className: "wb-err", text: `error: ${o.error_type || ""} ${o.error || ""}` });
        else if (o.diff) body = segments(o.diff);
        else body = h("div", { className: "wb-text", text: o.output });
        return h("div", { className: "wb-card" }, [h("div", { className: "wb-card-head" }, [h("b", { text: o.key }), " ", h("span", { text: info })]), body]);
      });
      parts.push(section(title, h("div", { className: "wb-outputs" }, cards)));
    }
    const scores = d.scores || [];
    if (scores.length) {
      const cols = ["metric", "key", "sample", "value", "passed", "label", "rationale", "error"];
      const head = h("tr", {}, cols.map((c) => h("th", { text: c === "key" ? "model" : c })));
      const rows = scores.map((s) =>
        h(
          "tr",
          { className: s.passed === false ? "wb-fail" : "" },
          cols.map((c) => h("td", { className: c === "rationale" ? "wb-text" : "", text: fmt(s[c]) })),
        ),
      );
      parts.push(section("scores", h("table", { className: "wb-table wb-scores" }, [h("thead", {}, head), h("tbody", {}, rows)])));
    }
    detail.replaceChildren(...parts);
  }

  // -- layout and wiring ------------------------------------------------------------------------
  const root = h("div", { className: "wb-browser" }, [
    h("div", { className: "wb-filters" }, [tagInput, queryInput, facetBox, scoreBox]),
    errorBox,
    h("div", { className: "wb-pager" }, [status, prev, pageInput, next, selInfo, clearSel]),
    h("div", { className: "wb-main" }, [h("div", { className: "wb-table-wrap" }, [table, empty]), detail]),
  ]);
  el.append(root);

  on("tag_expr", () => {
    if (document.activeElement !== tagInput) tagInput.value = model.get("tag_expr");
  });
  on("query", () => {
    if (document.activeElement !== queryInput) queryInput.value = model.get("query");
  });
  on("facets metadata", renderFacets);
  on("metrics models score_filter", renderScoreFilter);
  on("n_filtered n_total page n_pages selection error", renderStatus);
  on("rows columns selection selected_id", renderTable);
  on("detail", renderDetail);
  renderFacets();
  renderScoreFilter();
  renderStatus();
  renderTable();
  renderDetail();

  return () => {
    sendTags.cancel();
    sendQuery.cancel();
    for (const [event, fn] of listeners) model.off(event, fn);
  };
}

export default { render };
