// ReDoc of the API (/redoc): its start, here rather than inline, so the page passes the strict CSP. ReDoc's
// styles are <style> elements: they carry the nonce this page's CSP allows (given by the page). Its search
// runs in a worker made from a blob: URL, which the CSP refuses: off (Swagger UI at /docs has a filter).
"use strict";
const root = document.getElementById("redoc");
Redoc.init("/openapi.json", { nonce: root.dataset.nonce, disableSearch: true }, root);
