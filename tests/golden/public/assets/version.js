/* The data version this site was built from (git's HEAD: its commit and date), written into every page's
 * footer where it says 数据版本. It lives in this one small file, made by each build, so that a new commit
 * changes this file and the pages whose records changed, not every page of the site. */
(function () {
  "use strict";
  var version = {"commit": "44e7ed1", "date": "2011\u5e746\u670812\u65e5", "url": "https://git.example.org/shi/cxzy-data/commit/44e7ed10333df9338c9780a69362b2cf0079a629"};
  var slots = document.querySelectorAll("[data-version]");
  for (var i = 0; i < slots.length; i++) {
    var code = document.createElement("code");
    code.textContent = version.commit;
    var label = code;
    if (version.url) {
      label = document.createElement("a");
      label.href = version.url;
      label.appendChild(code);
    }
    slots[i].textContent = " ";
    slots[i].appendChild(label);
    slots[i].appendChild(document.createTextNode("（" + version.date + "），见"));
  }
})();
