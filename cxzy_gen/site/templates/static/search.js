/* 站内搜索: the search page's form over the Pagefind index that `cxzy build` writes into pagefind/, in shards.
 *
 * The index holds Chinese text one character per word (cxzy_gen/site/search.py says why), so excerpts
 * come back with spaces between characters; they are joined again here. A query is searched twice: its
 * characters as an exact phrase (the records that contain it as written come first), then as typed
 * (records with the words apart, or with punctuation between them, follow). Results are built as DOM
 * nodes: only the text and Pagefind's <mark> highlights of an excerpt are kept. */
(function () {
  "use strict";
  var script = document.currentScript;
  var root = script.getAttribute("data-root");
  var shards = new URL(script.getAttribute("data-shards"), location.href);
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var SHOWN = 20;
  var CJK = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff00-\\uffef";
  var GAP = new RegExp("([" + CJK + "])[\\s\\u200b]+(?=[" + CJK + "])", "g");

  if (location.protocol === "file:") {
    status.textContent = "直接打开文件时，浏览器不允许读取搜索索引：请通过本站的网址访问后再搜索。";
    form.hidden = true;
    return;
  }

  /* The index is in shards, each its own Pagefind bundle (pagefind/shards.json names them): Pagefind is
   * loaded from the first and the others are merged into it, so one search asks every shard and ranks
   * their results together, and the filters count across all of them. */
  var OPTIONS = { excerptLength: 40, baseUrl: "/" };
  /* On the page's own thread: Pagefind's web worker gives up after 5 s on a busy machine and starts again
   * on the page, while the worker's requests are still running; the shards' searches are quick anyway. */
  var FIRST = { excerptLength: 40, baseUrl: "/", noWorker: true };
  var ready = fetch(shards).then(function (response) {
    if (!response.ok) throw new Error("no index");
    return response.json();
  }).then(function (names) {
    var bundles = names.map(function (name) { return new URL(name, shards); });
    return import(new URL("pagefind.js", bundles[0]).href).then(function (pagefind) {
      return pagefind.options(FIRST).then(function () {
        return Promise.all(bundles.slice(1).map(function (url) { return pagefind.mergeIndex(url.pathname, OPTIONS); }));
      }).then(function () { return pagefind.filters(); }).then(function (filters) {
        fillFilters(filters || {});
        return pagefind;
      });
    });
  });
  ready.catch(function () {
    status.textContent = "本站没有生成搜索索引，暂时不能搜索。";
  });

  function fillFilters(filters) {
    kinds = Object.keys(filters["类别"] || {});
    selects.forEach(function (select) {
      var values = Object.keys(filters[select.getAttribute("data-filter")] || {});
      values.sort(function (a, b) { return select.name === "year" ? b.localeCompare(a) : a.localeCompare(b, "zh-CN"); });
      values.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.appendChild(option);
      });
    });
  }

  /* The query and filters in the page's address (a shared link); filters once their options exist. */
  var params = new URLSearchParams(location.search);
  function readUrl() {
    selects.forEach(function (select) { select.value = params.get(select.name) || ""; });
  }

  function writeUrl(query) {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    selects.forEach(function (select) { if (select.value) params.set(select.name, select.value); });
    var search = params.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }

  /* Every kind of record, filtered for when none is chosen: each shard's vocabulary record (the common
   * characters its records lack, cxzy_gen/site/search.py) has no kind, so it is never a result. */
  var kinds = [];
  function chosenFilters() {
    var filters = {};
    selects.forEach(function (select) { if (select.value) filters[select.getAttribute("data-filter")] = select.value; });
    return filters;
  }

  function searched(chosen) {
    var filters = { 类别: { any: kinds } };
    Object.keys(chosen).forEach(function (key) { filters[key] = chosen[key]; });
    return filters;
  }

  /* The query as the index holds it: each Chinese character a word, the whole an exact phrase. */
  function phrase(query) {
    var words = query.replace(new RegExp("([" + CJK + "])", "g"), " $1 ").replace(/["“”]/g, " ").trim().split(/\s+/);
    return words.length > 1 ? '"' + words.join(" ") + '"' : null;
  }

  function join(text) {
    return text.replace(/\u200b/g, "").replace(GAP, "$1");
  }

  /* Pagefind's excerpt, kept as text with its <mark>s, spaces between Chinese characters removed. */
  function excerptNode(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createElement("p");
    out.className = "excerpt";
    var pieces = [];
    doc.body.firstChild.childNodes.forEach(function (node) {
      pieces.push({ mark: node.nodeName === "MARK", text: node.textContent });
    });
    // Neighbouring highlighted characters become one highlight; the gaps Pagefind left between characters go.
    var merged = [];
    pieces.forEach(function (piece) {
      var last = merged[merged.length - 1];
      if (last && last.mark === piece.mark) last.text += piece.text;
      else if (last && piece.mark && !last.mark && /^[\s\u200b]*$/.test(last.text) && merged.length > 1 && merged[merged.length - 2].mark) {
        merged.pop();
        merged[merged.length - 1].text += piece.text;
      } else merged.push({ mark: piece.mark, text: piece.text });
    });
    merged.forEach(function (piece, i) {
      var text = join(piece.text);
      var before = merged[i - 1], after = merged[i + 1];
      if (before) text = text.replace(new RegExp("^[\\s\\u200b]+(?=[" + CJK + "])"), "");
      if (after) text = text.replace(new RegExp("([" + CJK + "])[\\s\\u200b]+$"), "$1");
      var node = piece.mark ? document.createElement("mark") : document.createTextNode(text);
      if (piece.mark) node.textContent = text;
      out.appendChild(node);
    });
    return out;
  }

  function show(results, total) {
    list.textContent = "";
    results.forEach(function (data) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + data.url.replace(/^\//, "");
      link.textContent = data.meta.title;
      var heading = document.createElement("p");
      heading.className = "result-title";
      heading.appendChild(link);
      item.appendChild(heading);
      item.appendChild(excerptNode(data.excerpt));
      var facts = [];
      ["类别", "单位", "年度", "状态"].forEach(function (key) {
        if (data.filters && data.filters[key]) facts.push(data.filters[key].join("、"));
      });
      var note = document.createElement("p");
      note.className = "note";
      note.textContent = facts.join(" · ");
      item.appendChild(note);
      list.appendChild(item);
    });
    status.textContent = total === 0 ? "没有找到结果。" : "找到 " + total + " 条结果" + (total > SHOWN ? "，显示前 " + SHOWN + " 条。" : "。");
  }

  var latest = 0;
  function run() {
    var query = input.value.trim();
    var filters = chosenFilters();
    writeUrl(query);
    if (!query && !Object.keys(filters).length) {
      list.textContent = "";
      status.textContent = "输入搜索词，或选择筛选条件。";
      return Promise.resolve();
    }
    var mine = ++latest;
    status.textContent = "正在搜索……";
    return ready.then(function (pagefind) {
      var exact = query && phrase(query);
      filters = searched(filters);
      return Promise.all([
        exact ? pagefind.search(exact, { filters: filters }) : Promise.resolve(null),
        pagefind.search(query || null, { filters: filters }),
      ]);
    }).then(function (searches) {
      var seen = {};
      var results = [];
      searches.forEach(function (search) {
        if (!search) return;
        search.results.forEach(function (r) {
          if (!seen[r.id]) { seen[r.id] = true; results.push(r); }
        });
      });
      return Promise.all(results.slice(0, SHOWN).map(function (r) { return r.data(); })).then(function (data) {
        if (mine === latest) show(data, results.length);
      });
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  selects.forEach(function (select) { select.addEventListener("change", run); });
  var timer = null;
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
  input.value = params.get("q") || "";
  ready.then(function () {
    readUrl();
    if (input.value || selects.some(function (s) { return s.value; })) run();
  });
}());
