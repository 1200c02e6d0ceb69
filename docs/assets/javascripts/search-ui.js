/*
 * What the search box needs beside the theme:
 *
 * - The theme reads the query on "keyup". Text that arrives without a key
 *   being released (an input method committing Chinese characters, paste
 *   from the context menu, autofill, drag and drop) fires only "input":
 *   pass it on as a keyup, so every way of typing searches.
 * - The theme shows how many results it lists; say how many there are in
 *   all when the worker lists only the best of many (search-worker.js,
 *   manifest "max"), and say so when nothing holds the words as typed
 *   (the results are then synonyms' and 部分匹配, nearest matches).
 * - Suggestions (同义词) when nothing holds the words as typed: a button
 *   each, which searches for it.
 * - Filters (筛选) above the results: jurisdiction with its
 *   sub-jurisdictions, plan, year of deadline, unit category, each a
 *   <select> with the number of results it keeps, and 清除筛选. Reached by
 *   Tab from the search box; the theme's keys (arrows to the results,
 *   Escape) keep working.
 * - When the box gets the focus, tell the worker: a small site's search
 *   data is one file, fetched then rather than on the first key.
 *
 * The worker talks on this page's own channel ("site-search#<id>", the id
 * set by the inline script of overrides/main.html): answers, facet counts;
 * the page sends the filters and "warm".
 */
(function () {
  "use strict";
  var input = document.querySelector("input.md-search__input");
  if (!input) return;

  function keyup() {
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }
  input.addEventListener("input", function (ev) {
    if (!ev.isComposing) keyup();
  });
  input.addEventListener("compositionend", keyup);

  var meta = document.querySelector(".md-search-result__meta");
  if (!meta || typeof BroadcastChannel === "undefined") return;
  var last = null, lastFacets = null, filters = {};
  var channel = new BroadcastChannel("site-search" + (window.__siteSearchId ? "#" + window.__siteSearchId : ""));

  /* the box has the focus: the worker may fetch its data now */
  input.addEventListener("focus", function () { channel.postMessage({ warm: true }); });

  /* ------------------------------------------------------------ the tools */

  var FACETS = [["j", "辖区（含下级）"], ["p", "计划"], ["y", "截止年份"], ["c", "单位类别"]];
  var tools = document.createElement("div");
  tools.className = "site-search__tools";
  tools.hidden = true;
  var suggest = document.createElement("p");
  suggest.className = "site-search__suggest";
  suggest.hidden = true;
  var group = document.createElement("div");
  group.className = "site-search__filters";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "筛选搜索结果");
  group.hidden = true;
  var selects = {};
  FACETS.forEach(function (f) {
    var label = document.createElement("label");
    label.className = "site-search__filter";
    var name = document.createElement("span");
    name.textContent = f[1];
    var select = document.createElement("select");
    select.setAttribute("data-facet", f[0]);
    select.addEventListener("change", function () {
      if (select.value) filters[f[0]] = select.value;
      else delete filters[f[0]];
      send();
    });
    label.appendChild(name);
    label.appendChild(select);
    group.appendChild(label);
    selects[f[0]] = select;
  });
  var clear = document.createElement("button");
  clear.type = "button";
  clear.className = "site-search__clear";
  clear.textContent = "清除筛选";
  clear.hidden = true;
  clear.addEventListener("click", function () {
    filters = {};
    send();
    input.focus();
  });
  group.appendChild(clear);
  tools.appendChild(suggest);
  tools.appendChild(group);
  meta.parentNode.insertBefore(tools, meta.nextSibling);  // the theme's list stays the last child

  function send() {
    var copy = {};
    Object.keys(filters).forEach(function (k) { copy[k] = filters[k]; });
    channel.postMessage({ filters: copy });
  }

  function filtered() { return Object.keys(filters).length > 0; }

  function option(value, text, selected) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    o.selected = selected;
    return o;
  }

  /* the filters, from the worker's counts for the query on show */
  function drawFilters() {
    var f = lastFacets, show = !!f && input.value !== "";  // until the counts of a new query come, the last ones
    var any = false;
    if (show) {
      var about = f.approx ? "约 " : "";
      FACETS.forEach(function (kind) {
        var k = kind[0], select = selects[k], data = f.facets[k];
        select.parentNode.hidden = !data || (!data.values.length && !filters[k]);
        if (select.parentNode.hidden) return;
        any = true;
        var values = data.values.slice();
        if (k === "p" || k === "c")  // most results first; the tree and the years keep their order
          values = values.map(function (v, i) { return [v, i]; }).sort(function (a, b) {
            return b[0][3] - a[0][3] || a[1] - b[1];
          }).map(function (x) { return x[0]; });
        var opts = [option("", "全部（" + about + data.all + "）", !filters[k])];
        values.forEach(function (v) {
          opts.push(option(v[0], "\u3000".repeat(v[2]) + v[1] + "（" + about + v[3] + "）", filters[k] === v[0]));
        });
        var key = opts.map(function (o) { return o.value + "\u0000" + o.textContent; }).join("\u0001");
        if (select.getAttribute("data-key") !== key) {  // redrawn only when it changed (keeps the keyboard's place)
          select.textContent = "";
          opts.forEach(function (o) { select.appendChild(o); });
          select.setAttribute("data-key", key);
        }
        select.value = filters[k] || "";
      });
    }
    group.hidden = !any || (!filtered() && !(last && last.total > 0));
    clear.hidden = !filtered();
  }

  /* suggestions when nothing holds the words as typed */
  function drawSuggestions() {
    var list = last && last.query === input.value && !last.exact ? last.suggest || [] : [];
    var key = list.join("\u0000");
    if (suggest.getAttribute("data-key") === key) return;
    suggest.setAttribute("data-key", key);
    suggest.textContent = "";
    suggest.hidden = !list.length;
    if (!list.length) return;
    suggest.appendChild(document.createTextNode("试试同义词："));
    list.forEach(function (q) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "site-search__try";
      b.textContent = q;
      b.setAttribute("aria-label", "搜索“" + q + "”");
      b.addEventListener("click", function () {
        input.value = q;
        input.focus();
        keyup();
      });
      suggest.appendChild(b);
    });
  }

  function draw() {
    tools.hidden = input.value === "";
    drawSuggestions();
    drawFilters();
  }

  /* --------------------------------------------------------- the keyboard */

  function focusable() {
    return Array.prototype.filter.call(tools.querySelectorAll("button, select"), function (e) {
      return e.offsetParent !== null;
    });
  }

  /* Tab from the box goes to the suggestions and filters (the theme would close the search) */
  input.addEventListener("keydown", function (ev) {
    if (ev.key !== "Tab" || ev.shiftKey || tools.hidden) return;
    var els = focusable();
    if (!els.length) return;
    ev.preventDefault();
    ev.stopPropagation();
    els[0].focus();
  });

  /* Inside them, keys are theirs (a select's arrows and letters), Escape the theme's */
  tools.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") return;
    ev.stopPropagation();
    if (ev.key !== "Tab") return;
    var els = focusable(), at = els.indexOf(document.activeElement);
    if (ev.shiftKey && at === 0) {
      ev.preventDefault();
      input.focus();
    } else if (!ev.shiftKey && at === els.length - 1) {
      ev.preventDefault();  // on to the first result; the arrows move among them
      var first = document.querySelector(".md-search-result__list [href]");
      (first || input).focus();
    }
  });

  /* ------------------------------------------------------------- the count */

  function apply() {
    if (!last || last.query !== input.value || last.error) return;
    var text = null;
    if (!last.exact && last.total > 0) {
      var synonyms = last.total - last.partial, parts = [];
      if (synonyms > 0) parts.push("同义词结果" + (last.approx ? "约 " : " ") + synonyms + " 个");
      if (last.partial > 0) parts.push("部分匹配 " + last.partial + " 个");
      text = "没有完全符合“" + input.value + "”的结果；" + parts.join("，") +
        (last.total > last.shown ? "，显示前 " + last.shown + " 个" : "");
    } else if (last.total === 0 && filtered()) {
      text = "所选范围内没有找到符合条件的结果";
    } else if (last.total > last.shown) {
      text = "显示前 " + last.shown + " 个，共" + (last.approx ? "约 " : " ") + last.total + " 个符合条件的结果";
    }
    if (text !== null && meta.textContent !== text) meta.textContent = text;
  }

  channel.addEventListener("message", function (ev) {
    var data = ev.data;
    if (!data || data.warm) return;
    if (data.facets) {
      lastFacets = data;
      window.__siteSearchFacets = data;  // read by the tests
      draw();
      window.dispatchEvent(new CustomEvent("site-search:facets", { detail: data }));
      return;
    }
    last = data;
    window.__siteSearchLast = data;  // read by the tests and `make search-report`
    draw();
    window.dispatchEvent(new CustomEvent("site-search:answer", { detail: data }));
    apply();
  });
  /* The worker may have answered before this script listened (the theme's
     first, empty query, on a busy machine): sending the filters, none yet,
     makes it answer its last query again (it ignores this if it has none). */
  send();
  new MutationObserver(apply).observe(meta, { childList: true, characterData: true, subtree: true });
  input.addEventListener("input", draw);
  input.form && input.form.addEventListener("reset", function () { setTimeout(draw, 0); });
})();
