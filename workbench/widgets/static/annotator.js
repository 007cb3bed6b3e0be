// workbench Annotator front end (anywidget ESM, no dependencies, nothing loaded from a CDN).
//
// Inputs, outputs, references, context and notes are untrusted: they reach the page only as text
// nodes (textContent). A label is sent to the kernel, which commits it to the label store before it
// answers "saved"; until then the widget takes no other label.

const ROLES = ["system", "user", "assistant", "tool"];

function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value; // DOM properties only (className, type, value, title, disabled...)
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function isTyping(target) {
  const tag = target && target.tagName;
  return tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || (target && target.isContentEditable);
}

function render({ model, el }) {
  const listeners = [];
  const on = (names, fn) => {
    for (const name of names.split(" ")) {
      model.on(`change:${name}`, fn);
      listeners.push([`change:${name}`, fn]);
    }
  };
  let pending = false;

  const root = h("div", { className: "wb-annotator", tabIndex: 0 });
  // JupyterLab's notebook shortcuts (a, b, digits...) must not act on the notebook while rating.
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const header = h("div", { className: "wb-ann-head" });
  const progress = h("span", { className: "wb-ann-progress" });
  const where = h("span", { className: "wb-ann-where" });
  const status = h("span", { className: "wb-ann-status" });
  const errorBox = h("pre", { className: "wb-error" });
  const caseBox = h("div", { className: "wb-ann-case" });
  const outputsBox = h("div", { className: "wb-ann-outputs" });
  const criteriaBox = h("div", { className: "wb-ann-criteria" });
  const note = h("textarea", { className: "wb-ann-note", rows: 2, placeholder: "note (optional, saved with the next label; Esc leaves the note)" });
  const prev = h("button", { className: "wb-ann-prev", text: "‹ previous (p)", onclick: () => move("previous") });
  const skip = h("button", { className: "wb-ann-skip", text: "skip (s)", onclick: () => move("skip") });
  const next = h("button", { className: "wb-ann-next", text: "next (n) ›", onclick: () => move("next") });
  header.append(progress, where, status);
  root.append(header, errorBox, caseBox, outputsBox, criteriaBox, note, h("div", { className: "wb-ann-nav" }, [prev, skip, next]));
  el.append(root);

  function keepFocus(fn) {
    const had = root.contains(document.activeElement) && document.activeElement !== note;
    fn();
    if (had) root.focus({ preventScroll: true });
  }

  function move(type) {
    if (pending) return;
    model.send({ type });
  }

  function choose(criterion, key) {
    if (pending) return;
    pending = true;
    root.classList.add("wb-ann-pending");
    status.textContent = "saving…";
    model.send({ type: "label", criterion, choice: key, note: note.value });
  }

  const section = (title, content) => h("div", { className: "wb-section" }, [h("div", { className: "wb-section-title", text: title }), content]);

  function renderCase() {
    const item = model.get("item") || {};
    const parts = [];
    if (item.turns) {
      parts.push(
        section(
          "input (chat)",
          h(
            "div",
            {},
            item.turns.map((turn) =>
              h("div", { className: `wb-turn wb-role-${ROLES.includes(turn.role) ? turn.role : "other"}` }, [
                h("div", { className: "wb-role", text: turn.role }),
                h("div", { className: "wb-text", text: turn.content }),
              ]),
            ),
          ),
        ),
      );
    } else if (item.input !== undefined) {
      parts.push(section("input", h("div", { className: "wb-text wb-ann-input", text: item.input })));
    }
    if ((item.context || []).length) {
      parts.push(section("context", h("ol", { className: "wb-context" }, item.context.map((p) => h("li", { className: "wb-text", text: p })))));
    }
    if (item.reference !== null && item.reference !== undefined) {
      parts.push(section("reference", h("div", { className: "wb-text wb-ann-reference", text: item.reference })));
    }
    caseBox.replaceChildren(...parts);
    const outputs = item.outputs || [];
    outputsBox.className = outputs.length > 1 ? "wb-ann-outputs wb-ann-pair" : "wb-ann-outputs";
    outputsBox.replaceChildren(
      ...outputs.map((o) => {
        const title = [o.slot ? `output ${o.slot}` : "output", o.name ? `· ${o.name}` : ""].filter(Boolean).join(" ");
        const body =
          o.output === null || o.output === undefined
            ? h("div", { className: "wb-err", text: `no output${o.error ? `: ${o.error}` : ""}` })
            : h("div", { className: "wb-text wb-ann-output-text", text: o.output });
        return h("div", { className: "wb-card wb-ann-output" }, [h("div", { className: "wb-card-head" }, h("b", { text: title })), body]);
      }),
    );
  }

  function renderCriteria() {
    const criteria = model.get("criteria") || [];
    const given = model.get("given") || {};
    const active = model.get("active");
    criteriaBox.replaceChildren(
      ...criteria.map((c) => {
        const buttons = c.choices.map((choice) =>
          h("button", {
            className: "wb-ann-choice" + (given[c.name] === choice.key ? " wb-ann-chosen" : ""),
            text: choice.shortcut && choice.shortcut !== choice.text ? `${choice.text} [${choice.shortcut}]` : choice.text,
            title: [choice.hint, choice.shortcut ? `key: ${choice.shortcut}` : ""].filter(Boolean).join(" · "),
            onclick: () => choose(c.name, choice.key),
          }),
        );
        buttons.forEach((b, i) => b.setAttribute("data-choice", c.choices[i].key));
        const guidance = (c.guidance || []).map((g) => h("li", { text: `${g.key}: ${g.text}` }));
        return h("div", { className: "wb-ann-criterion" + (c.name === active ? " wb-ann-active" : "") }, [
          h("div", { className: "wb-ann-criterion-head" }, [h("b", { text: c.name }), " ", h("span", { className: "wb-text", text: c.criteria })]),
          guidance.length ? h("ul", { className: "wb-ann-guidance" }, guidance) : null,
          h("div", { className: "wb-ann-choices" }, buttons),
        ]);
      }),
    );
  }

  function renderProgress() {
    const total = model.get("total");
    const item = model.get("item") || {};
    progress.textContent = `${model.get("n_labelled")} / ${total} labelled`;
    where.textContent = total ? `item ${model.get("position") + 1} of ${total} · case ${item.case_id ?? ""} · rater ${model.get("rater")}${model.get("blind") ? " · blind" : ""}` : "nothing to label";
    prev.disabled = model.get("position") <= 0;
    next.disabled = model.get("position") >= total - 1;
    const error = model.get("error");
    errorBox.textContent = error;
    errorBox.hidden = !error;
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) {
      // typing a note: the letters are text, not shortcuts (the widget's or the notebook's)
      if (e.key === "Escape") root.focus({ preventScroll: true });
      if (e.key.length === 1 || e.key === "Escape") e.stopPropagation();
      return;
    }
    const criteria = model.get("criteria") || [];
    const active = criteria.find((c) => c.name === model.get("active")) || criteria[0];
    let handled = true;
    if (e.key === "n" || e.key === "ArrowRight") move("next");
    else if (e.key === "p" || e.key === "ArrowLeft") move("previous");
    else if (e.key === "s") move("skip");
    else {
      const choice = active && active.choices.find((c) => c.shortcut && c.shortcut === e.key);
      if (choice) choose(active.name, choice.key);
      else handled = false;
    }
    if (handled) e.preventDefault();
    if (e.key.length === 1 || handled) e.stopPropagation(); // keep single keys away from the notebook
  }
  root.addEventListener("keydown", onKey);

  function onMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "saved") {
      pending = false;
      root.classList.remove("wb-ann-pending");
      note.value = "";
      status.textContent = `saved ${msg.criterion}: ${msg.label} (case ${msg.case_id})`;
    } else if (msg.type === "error") {
      pending = false;
      root.classList.remove("wb-ann-pending");
      status.textContent = "not saved";
    }
  }
  model.on("msg:custom", onMessage);

  on("item", () => keepFocus(renderCase));
  on("criteria given active", () => keepFocus(renderCriteria));
  on("n_labelled total position error item rater blind", renderProgress);
  renderCase();
  renderCriteria();
  renderProgress();

  return () => {
    root.removeEventListener("keydown", onKey);
    model.off("msg:custom", onMessage);
    for (const [event, fn] of listeners) model.off(event, fn);
  };
}

export default { render };
