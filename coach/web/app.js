// coach staff page: plain JavaScript, no build step, nothing loaded from outside this server.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);

const FLAG_LABELS = {
  media: "媒体曝光", regulator: "向监管投诉", lawyer: "律师/诉讼", group_visit: "群体上访", threat: "威胁/过激",
  vulnerable: "弱势客户", former_agent: "离职业务员", demand_manager: "要求见领导", injection: "可疑指令",
};
const DEMAND_LABELS = {
  refund: "退款/退保", compensation: "赔偿", interest: "利息", apology: "道歉", deadline: "要求时限",
  discipline: "处分员工", see_manager: "见领导",
};
const STEP_LABELS = {
  "稳": "稳定情绪，先让客户把话说完", "道歉及感谢": "道歉不等于认错", "问": "问清诉求和事实",
  "动": "记录、核实、转交，说明联系时限", "传": "交给有权限的人或部门", "换": "换场所或换人接待", "结": "礼貌结束",
};
const KIND_LABELS = {
  principle: "原则", script: "标准话术", taboo: "忌语示例 · 切勿照说", case: "案例", outline: "课程大纲",
};

// ---------------------------------------------------------------------------------------------- api

function token() { return sessionStorage.getItem("coach-token") || ""; }

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.fix = (body && body.fix) || "";
    this.code = (body && body.code) || "http_error";
  }
}

async function api(path, body) {
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const init = { method: body === undefined ? "GET" : "POST", headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { message: "连不上 coach 服务", fix: "确认 coach serve 仍在运行，然后重试" });
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  if (response.status === 401) $("#token-bar").hidden = false;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// ------------------------------------------------------------------------------------------ helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function copyButton(getText, label = "复制") {
  const button = el("button", { type: "button", class: "copy", text: label });
  button.addEventListener("click", async () => {
    const text = getText();
    try {
      await navigator.clipboard.writeText(text);
    } catch (err) { // http off loopback is not a secure context: fall back to a hidden textarea
      const area = el("textarea", { class: "offscreen", "aria-hidden": "true" });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "已复制 ✓";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
  return button;
}

function showError(form, err) {
  const box = $(".error", form);
  box.replaceChildren(el("strong", { text: err.message }), err.fix ? el("span", { text: ` 怎么办：${err.fix}` }) : null);
  box.hidden = false;
}

async function submitting(form, work) {
  const button = $("button[type=submit]", form);
  const box = $(".error", form);
  box.hidden = true;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  const original = button.innerHTML;
  button.textContent = "处理中…";
  try {
    await work();
  } catch (err) {
    showError(form, err);
  } finally {
    button.disabled = false;
    button.innerHTML = original;
    form.removeAttribute("aria-busy");
  }
}

function roleValue(select) { return select.value || null; }

// -------------------------------------------------------------------------------------------- tabs

function setupTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const select = (tab, focus) => {
    for (const other of tabs) {
      const active = other === tab;
      other.setAttribute("aria-selected", String(active));
      other.tabIndex = active ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !active;
    }
    if (focus) tab.focus();
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) select(tabs[(index + step + tabs.length) % tabs.length], true);
    });
  });
}

// -------------------------------------------------------------------------------------------- draft

function parseConversation(text) {
  const turns = [];
  const customer = /^\s*(客户|顾客|客人|customer|c)\s*[:：]\s*/i;
  const staff = /^\s*(客服|柜员|坐席|员工|我|staff|agent|s)\s*[:：]\s*/i;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const who = customer.test(line) ? "customer" : staff.test(line) ? "staff" : null;
    if (who) turns.push({ speaker: who, text: line.replace(who === "customer" ? customer : staff, "") });
    else if (turns.length) turns[turns.length - 1].text += `\n${line.trim()}`;
    else turns.push({ speaker: "customer", text: line.trim() });
  }
  return turns.filter((t) => t.text.trim());
}

function draftRequest() {
  const text = $("#draft-text").value;
  const role = roleValue($("#draft-role"));
  const domain = $("#draft-domain").value || null;
  const channel = $("#draft-channel").value || null;
  if (!text.trim()) throw new ApiError(0, { message: "请先粘贴客户的话", fix: "在“客户的话”里粘贴客户原话" });
  if (document.querySelector("input[name=mode]:checked").value === "message") return { message: text, role, domain, channel };
  const turns = parseConversation(text);
  const last = [...turns].reverse().find((t) => t.speaker === "customer");
  if (!last) throw new ApiError(0, { message: "对话里没有找到客户说的话", fix: "每行以“客户：”或“客服：”开头" });
  return { message: last.text, conversation: turns, role, domain, channel };
}

function backendBadge(draft) {
  if (draft.backend === "offline") {
    return el("span", { class: "badge offline", text: "离线生成（按培训资料编写，未使用大模型）" });
  }
  return el("span", { class: "badge model", text: `模型生成：${draft.model || draft.backend}` });
}

function escalationBanner(draft) {
  const advice = draft.escalation_advice.filter((a) => a.flag !== "injection");
  if (!draft.escalate || !advice.length) return null;
  return el("div", { class: "banner", role: "alert" },
    el("h3", { text: "⚠ 需要升级处理（仅供员工参阅，不要念给客户）" }),
    el("ul", {}, advice.map((a) => el("li", {},
      el("strong", { text: `${FLAG_LABELS[a.flag] || a.flag}：` }),
      `联系：${a.who_to_call}；怎么做：${a.where}；切勿：${a.do_not}。`,
      el("small", { class: "source", text: ` 依据：${a.source}` })))));
}

function citationList(draft) {
  const seen = new Set();
  const unique = draft.citations.filter((c) => !seen.has(c.chunk_id) && seen.add(c.chunk_id));
  if (!unique.length) return el("p", { class: "meta", text: "这条回复没有引用出处。" });
  return el("ol", { class: "citations" }, unique.map((c) => el("li", {},
    el("button", { type: "button", class: "cite", "data-chunk": c.chunk_id, onclick: () => openPassage(c) },
      el("span", { class: "cite-src", text: `语料 ${c.source}` }),
      el("span", { class: "cite-quote", text: c.quote.replace(/\s+/g, " ").slice(0, 60) + (c.quote.length > 60 ? "…" : "") })))));
}

function renderDraft(draft) {
  const steps = el("ol", { class: "steps" }, draft.steps.map((s) => el("li", {},
    el("strong", { text: s }), STEP_LABELS[s] ? el("span", { text: ` ${STEP_LABELS[s]}` }) : null)));
  const facts = [
    ["客户类型", draft.customer_type],
    ["诉求", draft.demands.map((d) => DEMAND_LABELS[d] || d).join("、") || "未明确"],
    ["风险", draft.risk_flags.map((f) => FLAG_LABELS[f] || f).join("、") || "无"],
    ["检查", draft.guard.ok ? "✓ 未发现越权承诺或服务忌语" : "✗ 有问题"],
  ];
  const reply = el("div", { class: "reply", id: "reply-text", tabindex: "0", text: draft.reply });
  const nodes = [
    escalationBanner(draft),
    el("div", { class: "reply-head" }, el("h2", { text: "建议回复" }), backendBadge(draft),
      copyButton(() => draft.reply, "复制回复")),
    draft.fell_back ? el("p", { class: "warn", text: `模型的回答没有通过检查，已改用离线生成：${draft.fallback_reason || ""}` }) : null,
    reply,
    el("dl", { class: "facts" }, facts.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])),
    el("h3", { text: "这条回复遵循的步骤" }), steps,
    el("h3", { text: "出处（点击查看原文）" }), citationList(draft),
    el("p", { class: "meta small", text: `编号 ${draft.id} · ${draft.prompt_version} · 政策 ${draft.policy_hash}` }),
  ];
  $("#draft-result").replaceChildren(...nodes.filter(Boolean));
}

async function openPassage(citation) {
  const dialog = $("#passage");
  $("#passage-title").textContent = `语料 ${citation.source}`;
  $("#passage-meta").textContent = "正在打开原文…";
  $("#passage-text").textContent = citation.quote;
  if (!dialog.open) dialog.showModal();
  try {
    const p = await api(`/v1/passages/${encodeURIComponent(citation.chunk_id)}`);
    $("#passage-title").textContent = `《${p.title}》`;
    $("#passage-meta").textContent = `语料 ${p.source} · ${p.section || "—"} · ${KIND_LABELS[p.kind] || p.kind}`;
    $("#passage-text").textContent = p.text;
  } catch (err) {
    $("#passage-meta").textContent = `只能显示引用的文字（${err.message}）`;
  }
}

// -------------------------------------------------------------------------------------------- check

function highlighted(text, violations) {
  // Offsets are code points (Python indices); JavaScript strings are UTF-16, so index an array of code points.
  const points = Array.from(text);
  const cuts = new Set([0, points.length]);
  violations.forEach((v) => { cuts.add(v.start); cuts.add(v.end); });
  const bounds = [...cuts].filter((n) => n >= 0 && n <= points.length).sort((a, b) => a - b);
  const out = el("p", { class: "checked", id: "checked-text" });
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const [from, to] = [bounds[i], bounds[i + 1]];
    const piece = points.slice(from, to).join("");
    const covering = violations.map((v, n) => [v, n]).filter(([v]) => v.start <= from && to <= v.end);
    if (!covering.length) { out.append(piece); continue; }
    const promise = covering.some(([v]) => v.kind === "unauthorized_promise");
    out.append(el("mark", {
      class: promise ? "promise" : "phrase",
      title: covering.map(([v]) => v.explanation).join("\n"),
      "data-violations": covering.map(([, n]) => n + 1).join(" "),
    }, piece));
    const ending = covering.filter(([v]) => v.end === to).map(([, n]) => n + 1);
    if (ending.length) out.append(el("sup", {}, ending.map((n) => el("a", { href: `#violation-${n}`, text: `[${n}]` }))));
  }
  return out;
}

function renderCheck(text, report) {
  const about = `岗位：${report.role}${report.second_opinion ? `，模型第二意见：${report.second_opinion}` : ""}`;
  if (report.ok) {
    $("#check-result").replaceChildren(el("p", { class: "ok", text: `✓ 未发现越权承诺或服务忌语（${about}）` }),
      el("p", { class: "checked", text }));
    return;
  }
  const items = report.violations.map((v, n) => el("li", { id: `violation-${n + 1}`, class: "violation" },
    el("p", {}, el("span", { class: `tag ${v.kind === "unauthorized_promise" ? "promise" : "phrase"}`,
      text: v.kind === "unauthorized_promise" ? "越权承诺" : "服务忌语" }), " ", el("q", { text: v.span }),
    el("small", { class: "meta", text: ` ${v.category}${v.detector === "model" ? " · 模型第二意见" : ""}` })),
    el("p", {}, el("strong", { text: "原因：" }), v.explanation),
    el("p", { class: "suggestion" }, el("strong", { text: "可以这样说：" }), v.suggestion, " ",
      copyButton(() => v.suggestion)),
    el("p", { class: "source" }, `依据：${v.source}`)));
  $("#check-result").replaceChildren(
    el("p", { class: "bad", text: `✗ 发现 ${report.violations.length} 处问题（${about}）` }),
    highlighted(text, report.violations),
    el("p", { class: "legend" }, el("mark", { class: "promise", text: "越权承诺" }), " ", el("mark", { class: "phrase", text: "服务忌语" })),
    el("ol", { class: "violations" }, items));
}

// ----------------------------------------------------------------------------------------- callback

function callbackRequest() {
  const value = (id) => $(id).value.trim();
  return {
    customer_name: value("#cb-name"), customer_title: value("#cb-title"), summary: value("#cb-summary"),
    actions: $("#cb-actions").value.split(/\r?\n/).map((s) => s.trim()).filter(Boolean),
    result: value("#cb-result"), next_step: value("#cb-next"), staff_name: value("#cb-staff"),
    department: value("#cb-dept"), company: value("#cb-company"), complaint_date: value("#cb-date") || null,
    role: roleValue($("#cb-role")),
  };
}

function renderCallback(script) {
  const nodes = [
    el("div", { class: "reply-head" }, el("h2", { text: "回访话术" }),
      el("span", { class: "badge offline", text: "按模板生成（未使用大模型）" }), copyButton(() => script.text, "复制全文")),
    script.adjustments.length ? el("div", { class: "banner soft", role: "status" },
      el("h3", { text: "以下内容因含有不能承诺的说法已被替换" }),
      el("ul", {}, script.adjustments.map((a) => el("li", { text: a })))) : null,
    el("ol", { class: "parts" }, script.parts.map((p) => el("li", {}, el("h3", { text: p.title }), el("p", { text: p.text })))),
    el("p", { class: "meta small", text: `编号 ${script.id} · ${script.prompt_version} · 检查 ${script.guard.ok ? "✓ 通过" : "✗"}` }),
  ];
  $("#callback-result").replaceChildren(...nodes.filter(Boolean));
}

// --------------------------------------------------------------------------------------------- init

async function loadStatus() {
  try {
    const health = await api("/healthz");
    const label = health.backend === "offline" ? "后端：离线生成" : `后端：模型 ${health.model || health.backend}`;
    $("#backend-badge").textContent = health.store === "empty" ? `${label} · 知识库为空，请先运行 coach ingest` : label;
  } catch (err) {
    $("#backend-badge").textContent = err.status === 401 ? "需要访问令牌" : "服务不可用";
  }
  try {
    const roles = await api("/v1/roles");
    for (const select of document.querySelectorAll(".role-select")) {
      select.replaceChildren(...roles.map((r) => el("option", { value: r.role, selected: r.default, text: `${r.name}（${r.role}）` })));
    }
  } catch (err) { /* the token bar is shown on 401; the selects stay empty = the policy's default role */ }
}

function bind(formId, work) {
  const form = document.getElementById(formId);
  form.addEventListener("submit", (event) => { event.preventDefault(); submitting(form, work); });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
}

function init() {
  setupTabs();
  bind("draft-form", async () => renderDraft(await api("/v1/draft", draftRequest())));
  bind("check-form", async () => {
    const text = $("#check-text").value;
    if (!text.trim()) throw new ApiError(0, { message: "请先粘贴您的回复", fix: "在“我的回复”里粘贴要检查的话" });
    const context = $("#check-context").value.trim() || null;
    renderCheck(text, await api("/v1/check", { text, context, role: roleValue($("#check-role")) }));
  });
  bind("callback-form", async () => renderCallback(await api("/v1/callback?format=text", callbackRequest())));
  for (const radio of document.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => {
      const conversation = radio.value === "conversation" && radio.checked;
      $("#draft-hint").textContent = conversation ? "（每行以“客户：”或“客服：”开头，最后一句客户的话会被回复）" : "（直接粘贴客户原话）";
    });
  }
  $("#passage-close").addEventListener("click", () => $("#passage").close());
  $("#token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("coach-token", $("#token").value.trim());
    $("#token-bar").hidden = true;
    loadStatus();
  });
  loadStatus();
  $("#draft-text").focus();
}

document.addEventListener("DOMContentLoaded", init);
