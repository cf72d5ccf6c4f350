// chipmint explorer: hash routes (#/, #/order/ID, #/account/ADDR, #/operator/ID), each
// page read from the node's JSON API under /api/v1/. Every 64-bit quantity stays the
// decimal string the API gives; BigInt does what arithmetic the display needs.
"use strict";

const API = "/api/v1";
const CHIP_DECIMALS = 6;
const POLL_MS = 2000;

// leave undoes what the current page keeps running (its event stream, its timer).
let leave = () => {};
// shown counts the pages shown, so that a page answered late does not draw over a newer one.
let shown = 0;

// ---- DOM and formatting ------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("data-")) el.setAttribute(k, v);
    else el[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function link(route, text) {
  return h("a", { href: "#/" + route.map(encodeURIComponent).join("/") }, text);
}

function groupThousands(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// decimal writes the integer string s with digits decimals, thousands grouped; at least
// minFrac of them are kept, zeros beyond trimmed.
function decimal(s, digits, minFrac) {
  let v;
  try {
    v = BigInt(s);
  } catch {
    return String(s);
  }
  const neg = v < 0n;
  let str = (neg ? -v : v).toString();
  let whole = str, frac = "";
  if (digits > 0) {
    str = str.padStart(digits + 1, "0");
    whole = str.slice(0, -digits);
    frac = str.slice(-digits);
    while (frac.length > minFrac && frac.endsWith("0")) frac = frac.slice(0, -1);
  }
  return (neg ? "-" : "") + groupThousands(whole) + (frac ? "." + frac : "");
}

function chips(s) {
  return s === undefined ? "0.00 CHIP" : decimal(s, CHIP_DECIMALS, 2) + " CHIP";
}

// minorDigits is the currency's number of decimals, as the ledger's currency table
// (CLDR's) has it.
function minorDigits(currency) {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

function money(minor, currency) {
  const d = minorDigits(currency);
  return decimal(minor === undefined ? "0" : minor, d, d) + " " + currency;
}

// printRef writes an RF reference or an IBAN in groups of four, as a bank form shows it.
function printRef(ref) {
  return String(ref).replace(/(.{4})(?=.)/g, "$1 ");
}

function when(t) {
  if (!t) return "";
  const d = new Date(t);
  return isNaN(d) ? t : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function status(s, id) {
  return h("span", { class: "status " + s, id, "data-status": s }, s.replace(/_/g, " "));
}

function words(s) {
  const w = String(s).replace(/_/g, " ");
  return w.charAt(0).toUpperCase() + w.slice(1);
}

function show(...children) {
  document.getElementById("main").replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

function table(head, rows, empty) {
  if (rows.length === 0) return h("p", { class: "muted" }, empty);
  return h("div", { class: "table" }, h("table", {},
    h("thead", {}, h("tr", {}, head.map(([t, cls]) => h("th", { class: cls }, t)))),
    h("tbody", {}, rows)));
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter((p) => p[1] !== undefined && p[1] !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function card(label, value) {
  return h("div", { class: "card" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
}

// ---- the API -----------------------------------------------------------------------

class APIError extends Error {
  constructor(status, body) {
    super((body && body.error) || "HTTP " + status);
    this.status = status;
    this.codeName = body && body.code_name;
  }
}

async function get(path) {
  const res = await fetch(API + path, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    // an answer that is not JSON: its status says enough
  }
  if (!res.ok) throw new APIError(res.status, body);
  return body;
}

// optional answers null where the node does not serve the route (or has no such thing).
async function optional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof APIError && e.status === 404) return null;
    throw e;
  }
}

// lookup answers null for what the node does not know or cannot be a name of anything.
async function lookup(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof APIError && (e.status === 404 || e.status === 400)) return null;
    throw e;
  }
}

function failed(e) {
  return h("p", { class: "error" }, e.message || String(e));
}

// ---- pages -------------------------------------------------------------------------

async function home(page) {
  const [supply, blocks, ops, orders] = await Promise.all([
    get("/supply"), optional("/blocks?limit=1"), get("/operators?limit=20"), optional("/orders?limit=10"),
  ]);
  const latest = await Promise.all(ops.items.map((o) => optional("/operators/" + encodeURIComponent(o.id))));
  if (page !== shown) return;
  const height = blocks && blocks.items.length ? String(blocks.items[0].height) : "—";
  followHeight(page);
  show(
    h("h1", {}, "chipmint"),
    h("div", { class: "cards" },
      card("Height", h("span", { id: "height" }, height)),
      card("Supply", chips(supply.total_chips)),
      card("Issued", chips(supply.issued_chips)),
      card("Burned", chips(supply.burned_chips)),
      supply.escrow_chips ? card("In escrow", chips(supply.escrow_chips)) : null),
    h("h2", {}, "Operators"),
    table([["Operator"], ["Outstanding", "num"], ["Reserves"]], ops.items.map((o, i) => {
      const r = latest[i] && latest[i].latest_reserves;
      return h("tr", {},
        h("td", {}, link(["operator", o.id], o.id), " ", h("span", { class: "muted" }, o.account ? o.account.currency : "")),
        h("td", { class: "num" }, chips(outstanding(o))),
        h("td", {}, r ? backing(r) : h("span", { class: "muted" }, "not attested yet")));
    }), "No operator is registered."),
    h("h2", {}, "Recent orders"),
    orders ? orderTable(orders.items) : h("p", { class: "muted" }, "This node does not list orders; search one by its id or RF reference."));
}

// followHeight keeps the home page's height that of the last block, by the node's
// stream of blocks where it serves one.
function followHeight(page) {
  const es = new EventSource(API + "/blocks/events");
  es.addEventListener("block", (e) => {
    const el = document.getElementById("height");
    if (el && page === shown) el.textContent = String(JSON.parse(e.data).height);
  });
  leave = () => es.close();
}

function outstanding(o) {
  return (BigInt(o.issued_chips) - BigInt(o.burned_chips)).toString();
}

function backing(r) {
  return h("span", {}, status(r.backed ? "backed" : "unbacked"), " ",
    h("span", { class: "muted" }, money(r.balance_minor, r.currency) + " held, at height " + r.height));
}

function orderTable(items) {
  return table([["Order"], ["Status"], ["Amount", "num"], ["Operator", "hide-narrow"]], items.map((o) => h("tr", {},
    h("td", { class: "mono" }, link(["order", o.id], o.id)),
    h("td", {}, status(o.status)),
    h("td", { class: "num" }, money(o.amount_minor, o.currency)),
    h("td", { class: "hide-narrow" }, link(["operator", o.operator], o.operator)))), "No order yet.");
}

async function orderPage(page, id) {
  const order = await get("/orders/" + encodeURIComponent(id));
  if (page !== shown) return;
  const op = await optional("/operators/" + encodeURIComponent(order.operator));
  if (page !== shown) return;
  const account = op && op.operator.account;
  const draw = async (o) => {
    const history = await optional("/orders/" + encodeURIComponent(o.id) + "/history");
    if (page !== shown) return;
    show(
      h("h1", {}, "Order ", h("span", { class: "mono", id: "order-id" }, o.id), " ", status(o.status, "order-status")),
      o.status === "awaiting_payment" && account ? h("div", { class: "pay" },
        "Awaiting ", h("strong", {}, money(o.amount_minor, o.currency)), " to ", h("span", { class: "mono" }, printRef(account.iban)),
        " (", account.holder, "), reference ", h("strong", { class: "mono" }, printRef(o.payment_reference)),
        o.expires_height ? ", by height " + o.expires_height : "", ".") : null,
      facts([
        ["Reference", h("span", { class: "mono", id: "order-reference" }, printRef(o.payment_reference))],
        ["Buyer", link(["account", o.buyer.address], o.buyer.address)],
        ["Operator", link(["operator", o.operator], o.operator)],
        ["Amount", money(o.amount_minor, o.currency)],
        ["Received", o.received_minor ? money(o.received_minor, o.currency) : ""],
        ["Chips", o.chips ? chips(o.chips) : ""],
        ["Bank reference", o.bank_reference ? h("span", { class: "mono" }, o.bank_reference) : ""],
        ["Held", o.hold_reason || ""],
        ["Reversed", o.reversal_reason ? o.reversal_reason + " (height " + o.reversed_height + ")" : ""],
        ["Owed back", o.owed_minor ? money(o.owed_minor, o.currency) : ""],
      ]),
      h("h2", {}, "Life"),
      timeline(o, history));
  };
  await draw(order);
  follow(page, order, draw);
}

// follow redraws the order's page each time the order changes from what it showed: by
// the node's event stream, or, where the node serves none, by reading the order every
// POLL_MS.
function follow(page, order, draw) {
  const id = order.id;
  let last = JSON.stringify(order);
  const seen = (o) => {
    const key = JSON.stringify(o);
    if (key === last || page !== shown) return;
    last = key;
    draw(o).catch((e) => show(failed(e)));
  };
  const es = new EventSource(API + "/orders/" + encodeURIComponent(id) + "/events");
  let timer = null;
  document.body.dataset.live = "stream";
  es.addEventListener("order", (e) => seen(JSON.parse(e.data)));
  es.onerror = () => {
    if (es.readyState !== EventSource.CLOSED || timer !== null) return;
    // The node refused the stream (an older node, or none on this route): read instead.
    document.body.dataset.live = "poll";
    timer = setInterval(() => get("/orders/" + encodeURIComponent(id)).then(seen, () => {}), POLL_MS);
  };
  leave = () => {
    es.close();
    if (timer !== null) clearInterval(timer);
    delete document.body.dataset.live;
  };
}

// timeline shows the order's steps on the chain: the node's history where it serves
// one, else what the order record says of its heights.
function timeline(o, history) {
  const steps = history ? history.steps.map((s) => ({
    what: words(s.type || s.status), status: s.status, height: s.height, time: s.time, signer: s.signer, tx: s.tx,
  })) : [
    { what: "Request", status: "awaiting_payment", height: o.created_height, signer: o.buyer.address },
    o.paid_height ? { what: "Payment confirmed", status: "paid", height: o.paid_height, by: o.confirmed_by } : null,
    o.issued_height ? { what: "Issue", status: "issued", height: o.issued_height } : null,
    o.reversed_height ? { what: "Reversal", status: "reversed", height: o.reversed_height } : null,
    o.closed_height ? { what: "Closed", status: o.status, height: o.closed_height } : null,
    o.refunded_height ? { what: "Refund", status: o.status, height: o.refunded_height } : null,
  ].filter(Boolean).sort((a, b) => a.height - b.height);
  const next = {
    awaiting_payment: ["Payment at the operator's bank", "Confirmation by the operator", "Issue"],
    paid: ["Issue"],
  }[o.status] || [];
  return h("ol", { class: "timeline", id: "timeline" },
    steps.map((s) => h("li", { "data-status": s.status },
      h("div", { class: "what" }, s.what, s.status ? [" ", status(s.status)] : null),
      h("div", { class: "meta" },
        "height " + s.height, s.time ? " · " + when(s.time) : "",
        s.signer ? [" · signed by ", link(["account", s.signer], s.signer)] : "",
        s.by ? " · by " + words(s.by) : "",
        s.tx ? [" · tx ", h("span", { class: "mono" }, s.tx.slice(0, 16) + "…")] : ""))),
    next.map((what) => h("li", { class: "pending" }, h("div", { class: "what" }, what), h("div", { class: "meta" }, "not yet"))));
}

async function accountPage(page, address) {
  const [acct, history] = await Promise.all([
    get("/accounts/" + encodeURIComponent(address)),
    optional("/accounts/" + encodeURIComponent(address) + "/history?limit=50"),
  ]);
  if (page !== shown) return;
  show(
    h("h1", {}, "Account ", h("span", { class: "mono" }, acct.address)),
    h("div", { class: "cards" }, card("Balance", h("span", { id: "balance" }, chips(acct.chips)))),
    h("h2", {}, "Transfers and redemptions"),
    history ? table([["Height"], ["What"], ["Chips", "num"]], history.items.flatMap((tx) => accountRows(tx, acct.address)),
      "Nothing yet.") : h("p", { class: "muted" }, "This node does not serve an account's history."));
}

// accountRows are the rows of one transaction of an account's history: its transfers,
// redemptions and orders, or else the transaction's type.
function accountRows(tx, self) {
  const at = h("td", {}, String(tx.height), h("div", { class: "muted hide-narrow" }, when(tx.time)));
  const rows = (tx.events || []).map((e) => {
    const a = e.attributes || {};
    switch (e.type) {
      case "transfer": {
        const out = a.from === self;
        const other = out ? a.to : a.from;
        return h("tr", {}, at.cloneNode(true),
          h("td", {}, "Transfer ", out ? "to " : "from ", link(["account", other], other)),
          h("td", { class: "num" }, (out ? "−" : "+") + chips(a.amount_chips)));
      }
      case "redemption":
        return h("tr", {}, at.cloneNode(true),
          h("td", {}, "Redemption ", h("span", { class: "mono" }, a.id), " ", status(a.status),
            h("div", { class: "muted" }, money(a.amount_minor, a.currency) + " at " + a.operator)),
          h("td", { class: "num" }, chips(a.chips)));
      case "order":
        return h("tr", {}, at.cloneNode(true),
          h("td", {}, "Order ", link(["order", a.id], a.id), " ", status(a.status)),
          h("td", { class: "num" }, a.status === "issued" ? "+" + chips(a.chips) : ""));
      default:
        return null;
    }
  }).filter(Boolean);
  return rows.length ? rows : [h("tr", {}, at, h("td", {}, words(tx.type)), h("td", {}))];
}

async function operatorPage(page, id) {
  const [ans, reserves] = await Promise.all([
    get("/operators/" + encodeURIComponent(id)), get("/operators/" + encodeURIComponent(id) + "/reserves?limit=100"),
  ]);
  if (page !== shown) return;
  const o = ans.operator;
  const cur = o.account ? o.account.currency : (o.receiving_account || {}).currency || "";
  show(
    h("h1", {}, "Operator ", o.id),
    facts([
      ["Address", link(["account", o.address], o.address)],
      ["Bank account", o.account ? h("span", { class: "mono" }, printRef(o.account.iban) + " · " + o.account.holder) : ""],
      ["Rate", chips(o.rate.chips) + " per " + money(o.rate.minor, cur)],
      ["Cap", chips(o.cap_chips)],
      ["Outstanding", chips(outstanding(o))],
      ["Shortfall", o.shortfall_chips && o.shortfall_chips !== "0" ? chips(o.shortfall_chips) : ""],
      ["Registered", "height " + o.registered_height],
    ]),
    h("h2", {}, "Reserves attested"),
    table([["Height"], ["Statement end", "hide-narrow"], ["Held", "num"], ["Owed", "num"], ["Backed"]],
      reserves.items.map((r) => h("tr", {},
        h("td", {}, String(r.height)),
        h("td", { class: "hide-narrow" }, r.statement_end),
        h("td", { class: "num" }, money(r.balance_minor, r.currency)),
        h("td", { class: "num" }, money(r.liabilities_minor, r.currency)),
        h("td", {}, status(r.backed ? "backed" : "unbacked")))), "No attestation yet."));
}

// ---- search and routes -------------------------------------------------------------

// searchPage finds what q names: an address, an order by its id or RF reference, or an
// operator; and shows its page in place of the search's.
async function searchPage(page, q) {
  q = q.trim();
  const compact = q.replace(/\s+/g, "");
  let found = null;
  if (/^chip1/i.test(compact)) {
    found = "#/account/" + encodeURIComponent(compact.toLowerCase());
  } else if (/^rf\d\d/i.test(compact) || /^[0-9a-f]{20}$/i.test(compact)) {
    const order = await lookup("/orders/" + encodeURIComponent(compact.toUpperCase()));
    if (order) found = "#/order/" + order.id;
  }
  if (!found) {
    const op = await lookup("/operators/" + encodeURIComponent(q));
    if (op) found = "#/operator/" + encodeURIComponent(op.operator.id);
  }
  if (page !== shown) return;
  if (found) {
    location.replace(found);
    return;
  }
  show(h("h1", {}, "Not found"), h("p", { id: "not-found" }, "Nothing on the chain is named ", h("code", {}, q), "."));
}

// decode undoes encodeURIComponent, and leaves a part it cannot decode as it is.
function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function route() {
  leave();
  leave = () => {};
  const page = ++shown;
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/").map(decode);
  const pages = { order: orderPage, account: accountPage, operator: operatorPage, search: searchPage };
  show(h("p", { class: "muted" }, name === "search" ? "Searching…" : "Loading…"));
  const run = pages[name] && arg ? pages[name](page, arg) : home(page);
  run.catch((e) => {
    if (page === shown) show(failed(e));
  });
}

document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = String(new FormData(e.target).get("q")).trim();
  if (!q) return;
  const hash = "#/search/" + encodeURIComponent(q);
  if (location.hash === hash) route();
  else location.hash = hash;
});
window.addEventListener("hashchange", route);
route();
