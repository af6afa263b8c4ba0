// scalewall web page: build the form from the JSON Schema of the command's options
// (GET /api/<command>/options, derived from the command's options model), call POST /api/<command>,
// show the result and draw the charts the server returns for it (the HTML report's charts).
// Rendering only: every number shown is a field of the API's JSON.
(function () {
  "use strict";
  var command = document.body.dataset.command;
  var form = document.getElementById("options");
  if (!form) { return; }
  var fieldsEl = document.getElementById("fields");
  var statusEl = document.getElementById("status");
  var errorEl = document.getElementById("error");
  var defaults = JSON.parse(document.getElementById("defaults").textContent || "{}");
  var props = {};

  function resolve(schema, spec) {
    if (spec && spec.$ref) {
      var defs = schema.$defs || (schema.components || {}).schemas || {};
      return defs[spec.$ref.split("/").pop()];
    }
    return spec;
  }

  // the type of one property: {kind, nullable, options}
  function kindOf(schema, p) {
    var nullable = false, base = p;
    if (p.anyOf) {
      var rest = p.anyOf.filter(function (a) { return a.type !== "null"; });
      nullable = rest.length < p.anyOf.length;
      base = resolve(schema, rest[0]) || {};
      if (rest.length > 1) {  // e.g. int | "max"
        return {kind: "text", nullable: nullable};
      }
    }
    base = resolve(schema, base) || {};
    if (base.enum) { return {kind: "enum", nullable: nullable, options: base.enum}; }
    if (base.const !== undefined) { return {kind: "enum", nullable: nullable, options: [base.const]}; }
    if (base.type === "boolean") { return {kind: "enum", nullable: true, options: [true, false]}; }
    if (base.type === "integer") { return {kind: "integer", nullable: nullable}; }
    if (base.type === "number") { return {kind: "number", nullable: nullable}; }
    if (base.type === "array") { return {kind: "array", nullable: nullable}; }
    return {kind: "text", nullable: nullable};
  }

  function buildForm(schema, body) {
    fieldsEl.textContent = "";
    var required = body.required || [];
    Object.keys(body.properties).forEach(function (name) {
      var p = body.properties[name];
      var k = kindOf(schema, p);
      props[name] = k;
      var label = document.createElement("label");
      label.title = p.description || "";
      label.appendChild(document.createTextNode(name + (required.indexOf(name) >= 0 ? " *" : "")));
      var input;
      var value = defaults[name];
      if (k.kind === "enum") {
        input = document.createElement("select");
        var blank = document.createElement("option");
        blank.value = "";
        blank.textContent = p.default === undefined || p.default === null ? "(default)" : "(default: " + p.default + ")";
        input.appendChild(blank);
        k.options.forEach(function (o) {
          var opt = document.createElement("option");
          opt.value = String(o);
          opt.textContent = String(o);
          input.appendChild(opt);
        });
        if (value !== undefined && value !== null) { input.value = String(value); }
      } else {
        input = document.createElement("input");
        input.type = "text";
        if (k.kind === "integer" || k.kind === "number") { input.inputMode = "decimal"; }
        if (p.default !== undefined && p.default !== null) {
          input.placeholder = Array.isArray(p.default) ? p.default.join(",") : String(p.default);
        } else if (p.default_from !== undefined) {  // a catalogue assumption stands for None
          input.placeholder = String(p.default_from_value) + " (catalogue " + p.default_from + ")";
        } else if (k.kind === "array") {
          input.placeholder = "comma-separated";
        }
        if (value !== undefined && value !== null) {
          input.value = Array.isArray(value) ? value.join(",") : String(value);
        }
      }
      input.name = name;
      input.id = "opt-" + name;
      label.appendChild(input);
      fieldsEl.appendChild(label);
    });
  }

  function collect() {
    var body = {};
    Object.keys(props).forEach(function (name) {
      var el = form.elements[name];
      var raw = el.value.trim();
      if (raw === "") { return; }
      var k = props[name];
      if (k.kind === "integer" || k.kind === "number") {
        var n = Number(raw.replace(/[_,]/g, ""));
        body[name] = isNaN(n) ? raw : n;
      } else if (k.kind === "array") {
        body[name] = raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      } else if (k.kind === "enum") {
        body[name] = raw === "true" ? true : raw === "false" ? false : raw;
      } else {
        var num = Number(raw);
        body[name] = (raw !== "" && !isNaN(num) && name === "batch") ? num : raw;
      }
    });
    return body;
  }

  function fmt(x) {
    if (typeof x !== "number") { return String(x); }
    var a = Math.abs(x);
    if (a !== 0 && (a >= 1e7 || a < 1e-2)) { return x.toPrecision(3).replace(/\.?0+e/, "e"); }
    if (a >= 100) { return Math.round(x).toLocaleString("en-US"); }
    return String(Number(x.toPrecision(3)));
  }

  function show(value) {
    if (value === null || value === undefined) { return "—"; }
    if (typeof value === "object" && !Array.isArray(value)) {
      return Object.keys(value).map(function (k) {
        var v = value[k];
        return k + " " + (typeof v === "object" && v !== null ? JSON.stringify(v) : fmt(v));
      }).join(", ");
    }
    if (Array.isArray(value)) { return value.length + " items"; }
    return fmt(value);
  }

  var LISTS = ["assumptions", "sources"];

  function render(result) {
    var table = document.getElementById("result");
    table.textContent = "";
    Object.keys(result).forEach(function (key) {
      if (LISTS.indexOf(key) >= 0) { return; }
      var v = result[key];
      if (Array.isArray(v) && v.length && typeof v[0] === "object") { return; }
      var tr = document.createElement("tr");
      tr.dataset.key = key;
      var th = document.createElement("td");
      th.textContent = key;
      var td = document.createElement("td");
      td.textContent = show(v);
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    });
    [["assumptions", "assumptions"], ["sources", "sources"]].forEach(function (pair) {
      var list = document.getElementById(pair[1]);
      list.textContent = "";
      (result[pair[0]] || []).forEach(function (s) {
        var li = document.createElement("li");
        li.textContent = typeof s === "string" ? s :
          [s.title, "(" + [s.publisher, s.year].filter(Boolean).join(", ") + ")", s.where ? "— " + s.where : "", s.url || ""]
            .filter(Boolean).join(" ");
        list.appendChild(li);
      });
    });
    document.getElementById("output").hidden = false;
  }

  function draw(figures) {
    var host = document.getElementById("charts");
    host.textContent = "";
    // lay out every chart's box first, so each is drawn at its final width in the grid
    var divs = figures.map(function (c) {
      var div = document.createElement("div");
      div.className = "chart";
      div.id = "chart-" + c.id;
      host.appendChild(div);
      return div;
    });
    figures.forEach(function (c, i) {
      Plotly.newPlot(divs[i], c.figure.data, c.figure.layout, {displaylogo: false, responsive: true});
    });
  }

  function message(payload, status) {
    if (payload && payload.message) { return payload.message; }
    if (payload && typeof payload.detail === "string") { return payload.detail; }
    return "request failed (HTTP " + status + ")";
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var button = document.getElementById("run");
    button.disabled = true;
    errorEl.hidden = true;
    statusEl.textContent = "running…";
    var t0 = performance.now();
    fetch("/api/" + command, {method: "POST", headers: {"Content-Type": "application/json"},
                              body: JSON.stringify(collect())})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, status: r.status, json: j}; }); })
      .then(function (res) {
        if (!res.ok) { throw new Error(message(res.json, res.status)); }
        render(res.json);
        statusEl.textContent = "done in " + ((performance.now() - t0) / 1000).toFixed(1) + " s";
        return fetch("/ui/figures/" + command, {method: "POST", headers: {"Content-Type": "application/json"},
                                                body: JSON.stringify(res.json)})
          .then(function (r) { return r.json(); })
          .then(function (figs) { if (Array.isArray(figs)) { draw(figs); } });
      })
      .catch(function (err) {
        statusEl.textContent = "";
        errorEl.textContent = err.message;
        errorEl.hidden = false;
      })
      .finally(function () { button.disabled = false; });
  });

  fetch("/api/" + command + "/options").then(function (r) { return r.json(); }).then(function (schema) {
    buildForm(schema, schema);
    form.dataset.ready = "1";
  });
})();
