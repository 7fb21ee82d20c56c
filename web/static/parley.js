// Parley: small improvements on pages that work without it.
// Facet typeahead: in a facet's "find…" box, values of that facet within the current search appear
// as you type (from /api/v1/facets/<name>), each a link that adds it to the search.
(function () {
  "use strict";
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }
  document.querySelectorAll("form.facet-find").forEach(function (form) {
    var input = form.querySelector("input[name=prefix]");
    var list = document.createElement("ul");
    list.className = "suggestions";
    form.appendChild(list);
    var facet = form.getAttribute("data-facet");
    input.addEventListener("input", debounce(function () {
      var here = new URL(window.location.href);
      var api = new URL("/api/v1/facets/" + encodeURIComponent(facet), window.location.origin);
      here.searchParams.forEach(function (value, key) {
        if (key !== "page" && key !== "cursor" && key !== "facets") { api.searchParams.append(key, value); }
      });
      api.searchParams.set("prefix", input.value);
      api.searchParams.set("facet_limit", "10");
      fetch(api).then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
        list.textContent = "";
        if (!body || !body.ok) { return; }
        body.data.values.forEach(function (v) {
          var target = new URL(window.location.href);
          target.searchParams.delete("page");
          target.searchParams.delete("cursor");
          target.searchParams.append(facet, facet === "speaker" ? v.label : v.value);
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = target.pathname + target.search;
          link.textContent = v.label;  // textContent: never parsed as HTML
          var count = document.createElement("span");
          count.className = "count";
          count.textContent = " " + v.count;
          item.appendChild(link);
          item.appendChild(count);
          list.appendChild(item);
        });
      });
    }, 150));
  });
})();
// Phones: the facets wait behind a "Filters" button (without scripts they follow the results).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var toggle = document.querySelector("button.filters-toggle");
  var panel = document.getElementById("filters");
  if (!toggle || !panel) { return; }
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("open", open);
    if (open) { var first = panel.querySelector("a"); if (first) { first.focus(); } }
  });
})();
