/* "复制链接": copy a task's permanent address with its number and title,
   ready to paste into a training slide. */
(function () {
  function absolute(href) {
    return new URL(href, document.baseURI).href;
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy-link");
    if (!button) return;
    var text = button.getAttribute("data-copy") + " " + absolute(button.getAttribute("data-href"));
    copy(text).then(function () {
      var label = button.textContent;
      button.textContent = "已复制";
      button.setAttribute("data-copied", text);
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
})();

/* Links into a folded timeline: open every <details> around the target of
   the address's #fragment, then bring it into view. */
(function () {
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    var opened = false;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS" && !el.open) { el.open = true; opened = true; }
    }
    if (opened) target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();

/* Printing: unfold every <details> (task texts, timeline quarters) while
   printing, fold them back afterwards; the 打印 button prints the page. */
(function () {
  var unfolded = [];
  window.addEventListener("beforeprint", function () {
    unfolded = [];
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      unfolded.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    unfolded.forEach(function (d) { d.open = false; });
    unfolded = [];
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.print-button");
    if (button) window.print();
  });
})();

/* 大字 (适老化): the header button switches every page to larger text; the
   choice is kept in localStorage and applied before paint by the inline
   script of overrides/main.html. */
(function () {
  var KEY = "site-text-size";
  var root = document.documentElement;
  function sync() {
    var on = root.classList.contains("site-large-text");
    document.querySelectorAll("button.site-text-size").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.site-text-size");
    if (!button) return;
    var on = root.classList.toggle("site-large-text");
    try {
      if (on) localStorage.setItem(KEY, "large"); else localStorage.removeItem(KEY);
    } catch (e) { /* storage refused: the switch holds for this page only */ }
    sync();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sync);
  } else {
    sync();
  }
})();

/* Kept anchors (pages split by jurisdiction): an old address such as
   departments/#putuo-emergency lands on a line that links to where the
   content is now; follow that link at once, keeping the history clean. */
(function () {
  function follow() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target || !target.classList.contains("kept-anchor")) return;
    var link = target.querySelector("a.kept-anchor-link");
    if (link) location.replace(link.href);
  }
  window.addEventListener("hashchange", follow);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", follow);
  } else {
    follow();
  }
})();
