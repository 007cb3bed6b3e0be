// Draws the charts of a notebook exported by workbench.report.export_html, offline.
// vl-convert's javascript_bundle() prepends Vega, Vega-Lite and vega-embed (`vegaEmbed`).
// Each chart is a div.wb-vega holding a div.wb-vega-chart and its spec as inert JSON
// (<script type="application/json" class="wb-vega-spec">): data is never parsed as HTML.
const workbenchActions = { export: true, source: false, compiled: false, editor: false };

for (const holder of document.querySelectorAll("div.wb-vega")) {
  const target = holder.querySelector("div.wb-vega-chart");
  const data = holder.querySelector("script.wb-vega-spec");
  if (!target || !data) continue;
  let payload;
  try {
    payload = JSON.parse(data.textContent);
  } catch (err) {
    target.textContent = "workbench: this chart's spec could not be read: " + err;
    continue;
  }
  const options = Object.assign({}, payload.embed_options, { mode: payload.mode });
  // No "open in the Vega editor" or "view source" links: the page stays offline.
  options.actions = options.actions === false ? false : workbenchActions;
  vegaEmbed(target, payload.spec, options).then(
    () => holder.setAttribute("data-rendered", "true"),
    (err) => {
      target.textContent = "workbench: this chart could not be drawn: " + err;
      holder.setAttribute("data-rendered", "error");
    },
  );
}
