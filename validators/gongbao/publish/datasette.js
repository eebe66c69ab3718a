/* gongbao on Datasette 0.65: what Datasette does not do by itself, for readers of the data.
 *
 * - On a row page, every foreign-key cell links to the row it names (Datasette links them
 *   on table pages only), so an instrument's source_id leads to its source.
 * - A cell naming a row that has a URL (a source with its article's address) also links to
 *   that URL: "article ↗".
 * - The list of column descriptions is folded into a <details> element, so the rows come
 *   first; each column's description also stays in its column menu.
 * - A row page shows its row as a record, one line per column (name: value), instead of a
 *   one-row table squeezed into the page's width.
 * - On a table page, free-text columns (quotes, notes, titles) get room to be read across
 *   rather than down.
 * - Datasette's suggested facets leave out the free-text columns (quotes, notes, titles): a
 *   facet of quotes is a list of every quote.
 *
 * `gongbao release` writes this file into datasette.json (extra_js_urls, as a data: URL, so
 * that `datasette gongbao.sqlite -m datasette.json` needs no other file), with GONGBAO set to
 * {"links": {table: {column: referenced table}}, "urls": {table: {key: url}},
 *  "text": {table: [free-text column, ...]}}.
 */
(function () {
  "use strict";
  var config = GONGBAO;

  // Datasette's tilde encoding of a path segment (datasette.utils.tilde_encode).
  function tildeEncode(value) {
    var bytes = new TextEncoder().encode(value);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      var c = String.fromCharCode(bytes[i]);
      if (/[A-Za-z0-9_-]/.test(c)) out += c;
      else if (c === " ") out += "+";
      else out += "~" + ("0" + bytes[i].toString(16).toUpperCase()).slice(-2);
    }
    return out;
  }

  function pageTable() {
    var classes = document.body.className.split(/\s+/);
    for (var i = 0; i < classes.length; i++) {
      var name = classes[i].replace(/^table-/, "");
      if (classes[i] !== name && config.links.hasOwnProperty(name)) return name;
    }
    return null;
  }

  // The path up to and including the database: what a link to another table starts with.
  function databasePath(table) {
    var parts = location.pathname.split("/");
    var at = parts.lastIndexOf(tildeEncode(table));
    return at > 0 ? parts.slice(0, at).join("/") : null;
  }

  function link(href, text, className) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (className) a.className = className;
    return a;
  }

  function articleLink(target, value) {
    var url = (config.urls[target] || {})[value];
    return url ? link(url, "article \u2197", "gongbao-article") : null;
  }

  function linkCells(table, isRowPage) {
    var base = databasePath(table);
    var links = config.links[table];
    Object.keys(links).forEach(function (column) {
      var target = links[column];
      var cells = document.querySelectorAll("td.col-" + CSS.escape(column));
      Array.prototype.forEach.call(cells, function (cell) {
        var existing = cell.querySelector("a");
        var em = cell.querySelector("em");
        var value = (em || existing || cell).textContent.trim();
        if (!value) return;
        if (isRowPage && !existing && base !== null) {
          cell.textContent = "";
          cell.appendChild(link(base + "/" + tildeEncode(target) + "/" + tildeEncode(value), value));
        }
        var article = articleLink(target, value);
        if (article) {
          cell.appendChild(document.createTextNode(" "));
          cell.appendChild(article);
        }
      });
    });
  }

  function foldColumnDescriptions() {
    var list = document.querySelector("dl.column-descriptions");
    if (!list) return;
    var details = document.createElement("details");
    details.className = "gongbao-columns";
    var summary = document.createElement("summary");
    summary.textContent =
      "What each column holds (" + list.querySelectorAll("dt").length + " columns)";
    list.parentNode.insertBefore(details, list);
    details.appendChild(summary);
    details.appendChild(list);
  }

  function widenTextColumns(table) {
    var rules = (config.text[table] || []).map(function (column) {
      return "table.rows-and-columns td.col-" + CSS.escape(column) + "{min-width:16em}";
    });
    var style = document.createElement("style");
    style.textContent = rules.join("");
    document.head.appendChild(style);
  }

  function dropTextFacetSuggestions(table) {
    var paragraph = document.querySelector("p.suggested-facets");
    if (!paragraph) return;
    var text = config.text[table] || [];
    var kept = [];
    Array.prototype.forEach.call(paragraph.querySelectorAll("a"), function (a) {
      if (text.indexOf(a.textContent) !== -1) return;
      var type = a.nextSibling && a.nextSibling.nodeType === 3 ? a.nextSibling.textContent : "";
      kept.push([a, (type.match(/\(\w+\)/) || [""])[0]]);
    });
    if (!kept.length) {
      paragraph.parentNode.removeChild(paragraph);
      return;
    }
    paragraph.textContent = "Suggested facets: ";
    kept.forEach(function (item, index) {
      if (index) paragraph.appendChild(document.createTextNode(", "));
      paragraph.appendChild(item[0]);
      if (item[1]) paragraph.appendChild(document.createTextNode(" " + item[1]));
    });
  }

  var RECORD_STYLE =
    "table.gongbao-record thead{display:none}" +
    "table.gongbao-record,table.gongbao-record tbody,table.gongbao-record tr{display:block}" +
    "table.gongbao-record td{display:grid;grid-template-columns:11em 1fr;gap:1em;" +
    "border:none;border-bottom:1px solid #eee;padding:0.4em 0}" +
    "table.gongbao-record td::before{content:attr(data-column);font-weight:bold;" +
    "margin:0;font-size:inherit;color:inherit}";

  function showAsRecord() {
    var table = document.querySelector("table.rows-and-columns");
    if (!table || table.querySelectorAll("tbody tr").length !== 1) return;
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    Array.prototype.forEach.call(table.querySelectorAll("tbody td"), function (td, index) {
      td.setAttribute("data-column", names[index] || "");
      var value = document.createElement("div"); // one grid cell for the whole value
      while (td.firstChild) value.appendChild(td.firstChild);
      td.appendChild(value);
    });
    var style = document.createElement("style");
    style.textContent = RECORD_STYLE;
    document.head.appendChild(style);
    table.classList.add("gongbao-record");
  }

  function run() {
    foldColumnDescriptions();
    var table = pageTable();
    if (table === null) return;
    var body = document.body.classList;
    if (body.contains("row")) {
      linkCells(table, true);
      showAsRecord();
    } else if (body.contains("table")) {
      linkCells(table, false);
      widenTextColumns(table);
      dropTextFacetSuggestions(table);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
