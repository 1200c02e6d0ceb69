/*
 * Two small helps for the search box (the theme does the rest):
 *
 * - The theme reads the query on "keyup". Text that arrives without a key
 *   being released (an input method committing Chinese characters, paste
 *   from the context menu, autofill, drag and drop) fires only "input":
 *   pass it on as a keyup, so every way of typing searches.
 * - The theme shows how many results it lists; when the worker lists only
 *   the best of many (search-worker.js, manifest "max"), say how many
 *   there are in all. The worker reports on the "site-search" channel.
 * - When the box gets the focus, tell the worker (same channel): a small
 *   site's search data is one file, fetched then rather than on the first key.
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
  var last = null;
  var channel = new BroadcastChannel("site-search");

  /* the box has the focus: the worker may fetch its data now */
  input.addEventListener("focus", function () { channel.postMessage({ warm: true }); });

  function apply() {
    if (!last || last.query !== input.value || !(last.total > last.shown)) return;
    var text = "显示前 " + last.shown + " 个，共" + (last.approx ? "约 " : " ") + last.total + " 个符合条件的结果";
    if (meta.textContent !== text) meta.textContent = text;
  }

  channel.addEventListener("message", function (ev) {
    if (!ev.data || ev.data.warm) return;
    last = ev.data;
    window.__siteSearchLast = ev.data;  // read by the tests and `make search-report`
    window.dispatchEvent(new CustomEvent("site-search:answer", { detail: ev.data }));
    apply();
  });
  new MutationObserver(apply).observe(meta, { childList: true, characterData: true, subtree: true });
})();
