// Renders /openapi.json without Swagger UI (which FastAPI loads from a CDN; this machine is offline).
"use strict";

function node(tag, text, cls) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function resolve(schema, spec, depth = 0) {
  if (!schema || depth > 6) return schema;
  if (schema.$ref) return resolve(spec.components.schemas[schema.$ref.split("/").pop()], spec, depth + 1);
  const out = Array.isArray(schema) ? [] : {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = value && typeof value === "object" ? resolve(value, spec, depth + 1) : value;
  }
  return out;
}

function details(title, value) {
  const box = node("details");
  box.append(node("summary", title), node("pre", JSON.stringify(value, null, 2)));
  return box;
}

function operation(path, method, op, spec) {
  const card = node("section", undefined, "op");
  const head = node("h2");
  head.append(node("span", method.toUpperCase(), `method ${method}`), path);
  card.append(head, node("p", op.summary || ""));
  if (op.description) card.append(node("p", op.description, "meta"));
  if (op.parameters && op.parameters.length) {
    const list = node("ul");
    for (const p of op.parameters) list.append(node("li", `${p.in} ${p.name}${p.required ? "（必填）" : ""}: ${JSON.stringify(resolve(p.schema, spec))}`));
    card.append(node("h3", "参数"), list);
  }
  const body = op.requestBody && op.requestBody.content["application/json"];
  if (body) card.append(details("请求体（JSON Schema）", resolve(body.schema, spec)));
  for (const [status, response] of Object.entries(op.responses || {})) {
    const content = response.content && response.content["application/json"];
    if (content) card.append(details(`响应 ${status}：${response.description}`, resolve(content.schema, spec)));
  }
  return card;
}

async function main() {
  const root = document.getElementById("docs");
  try {
    const spec = await (await fetch("/openapi.json")).json();
    root.replaceChildren(node("p", `${spec.info.title} ${spec.info.version} — ${spec.info.description || ""}`));
    root.append(node("p", "错误统一为 {code, message, fix}；校验错误 422，请求体过大 413，需要令牌时 401。", "meta"));
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) root.append(operation(path, method, op, spec));
    }
  } catch (err) {
    root.replaceChildren(node("p", `读取 /openapi.json 失败：${err}`));
  }
}

document.addEventListener("DOMContentLoaded", main);
