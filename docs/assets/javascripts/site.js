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
