/* The data version this site was built from (git's HEAD: its commit and date), written into every page's
 * footer where it says 数据版本. It lives in this one small file, made by each build, so that a new commit
 * changes this file and the pages whose records changed, not every page of the site. */
(function () {
  "use strict";
  var version = {{ {"commit": data_version.commit, "date": data_version.date | cn_date, "url": data_version.url} | tojson }};
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
