"""The HTTP API and the staff page: a thin shell over coach.chain, coach.guard and coach.callback_script.

``create_app(settings)`` builds the FastAPI app; ``coach serve`` runs it with uvicorn. Request and response
bodies are the Pydantic types the CLI prints with ``--json``. What this module adds is what a shared
service needs: errors as ``{code, message, fix}`` with a Chinese message, limits (body size, text length,
conversation turns), a bearer token off loopback, one structured log line per request that never holds
the customer's words, and the store opened once per process, lazily, on a single thread that every store
access then uses (the lexical index's SQLite connection belongs to the thread that opened it), while drafts
and their model calls run on other threads (coach/thread_confined.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Send

from coach.backends import Backend, get_backend
from coach.callback_script import callback_script
from coach.chain import provenance
from coach.config import Settings
from coach.errors import CoachError, ConfigError
from coach.guard import MAX_CHARS
from coach.guard import check as guard_check
from coach.guard.model import ModelStage, load_stage
from coach.guard.review import SecondOpinion
from coach.policy import Policy, load_policy
from coach.redact import install_log_masking
from coach.thread_confined import ThreadConfined
from coach.types import (
    SURROGATE_FIX,
    CallbackCase,
    CallbackScript,
    CheckRequest,
    Draft,
    DraftRequest,
    GuardReport,
    Passage,
    Retrieval,
    RetrievalRequest,
)

log = logging.getLogger("coach.server")
install_log_masking(log)

WEB = Path(__file__).parent / "web"
MAX_BODY_BYTES = 256 * 1024
MAX_TURNS = 50
# Drafts and retrievals in progress or waiting before the API answers 503: enough for a call centre's
# burst (bench/api.py runs 50 clients) while still bounding memory under overload.
MAX_PENDING = 256
# Drafts at once: each mostly waits on the model endpoint; more threads than the endpoint serves at once buy
# nothing, and the rest queue (within MAX_PENDING).
MODEL_WORKERS = 32
MIN_TOKEN_CHARS = 16  # `openssl rand -hex 32` gives 64
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_PUBLIC_PATHS = ("/", "/docs", "/openapi.json", "/favicon.ico")  # page shell and schema: no data in them
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

_TOO_LARGE = f"请求体过大：最多接受 {MAX_BODY_BYTES // 1024} KB"
_TOO_LARGE_FIX = "只发送最近的对话内容，或分几次发送"
_ZH = {
    "empty_store": "知识库还是空的，尚未导入培训资料",
    "store_error": "知识库暂时无法使用",
    "config_error": "设置或参数有误",
    "bad_input": "输入的内容无法处理",
    "backend_error": "生成回复时出错",
    "coach_error": "处理失败",
}

T = TypeVar("T")
Receive = Callable[[], Awaitable[dict[str, Any]]]


class ApiError(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. empty_store, validation_error.")
    message: str = Field(description="What went wrong, in Chinese.")
    fix: str = Field(default="", description="What the user can do about it.")
    request_id: str | None = None


class Health(BaseModel):
    ok: bool
    backend: str
    model: str | None = None
    store: Literal["not_opened", "ready", "empty", "error"]
    auth: bool = Field(description="True when requests need Authorization: Bearer.")


class RoleInfo(BaseModel):
    role: str
    name: str
    default: bool = False


class _Limit(Exception):
    def __init__(self, status: int, error: ApiError) -> None:
        self.status, self.error = status, error


def _error(status: int, code: str, message: str, fix: str = "", headers: dict[str, str] | None = None,
           request_id: str | None = None) -> JSONResponse:
    body = ApiError(code=code, message=message, fix=fix, request_id=request_id)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


class _Store:
    """The drafting chain (and with it the Retriever), opened on first use on one dedicated thread, where
    every store access then runs; drafts run on model workers, so a slow model holds no store access."""

    def __init__(self, settings: Settings, backend: Backend | None, policy: Policy) -> None:
        self.settings, self.backend, self.policy = settings, backend, policy
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coach-store")
        self.models = ThreadPoolExecutor(max_workers=MODEL_WORKERS, thread_name_prefix="coach-model")
        self.pending = 0
        self.state: Literal["not_opened", "ready", "empty", "error"] = "not_opened"
        self._chain: Any = None

    def chain(self) -> Any:
        """Only ever called on ``self.thread``. A failed open is not cached: ingest, then retry works."""
        if self._chain is None:
            from coach.chain import DraftChain
            from coach.errors import EmptyStoreError
            from coach.retrieval import Retriever

            try:
                # The chain drafts on a model worker; its retriever's calls come back to this thread.
                retriever = ThreadConfined(Retriever(self.settings), self.thread, owner=threading.get_ident())
                self._chain = DraftChain(self.settings, backend=self.backend, policy=self.policy, retriever=retriever)
            except EmptyStoreError:
                self.state = "empty"
                raise
            except CoachError:
                self.state = "error"
                raise
            self.state = "ready"
        return self._chain

    async def run(self, work: Callable[[Any], T], *, calls_model: bool = False) -> T:
        """``work(chain)`` on the store thread, or with ``calls_model`` on a model worker (the chain opened
        on the store thread first)."""
        if self.pending >= MAX_PENDING:
            raise _Limit(503, ApiError(code="busy", message=f"服务繁忙：已有 {self.pending} 个请求在排队",
                                       fix="稍后重试 / retry in a few seconds"))
        self.pending += 1
        loop = asyncio.get_running_loop()
        try:
            if not calls_model:
                return await loop.run_in_executor(self.thread, lambda: work(self.chain()))
            chain = await loop.run_in_executor(self.thread, self.chain)
            return await loop.run_in_executor(self.models, work, chain)
        finally:
            self.pending -= 1


def _check_turns(turns: object) -> None:
    if isinstance(turns, list) and len(turns) > MAX_TURNS:
        raise _Limit(422, ApiError(code="too_many_turns", message=f"对话共 {len(turns)} 轮，最多接受 {MAX_TURNS} 轮",
                                   fix=f"只粘贴最近的 {MAX_TURNS} 轮对话"))


def _check_length(text: str, what: str) -> None:
    if len(text) > MAX_CHARS:
        message = f"{what}共 {len(text):,} 字，最多接受 {MAX_CHARS:,} 字"
        raise _Limit(422, ApiError(code="text_too_long", message=message, fix="只粘贴最近的相关内容，分段检查"))


def _note(request: Request, **fields: object) -> None:
    """What the request log line reports besides route and latency (never any text of the request)."""
    request.state.log = {**getattr(request.state, "log", {}), **fields}


def create_app(settings: Settings, *, public: bool = False, backend: Backend | None = None,
               allowed_hosts: frozenset[str] | None = None) -> FastAPI:
    """The API and the page. ``public``: bound off loopback, so ``settings.api_token`` is required."""
    token = api_token(settings, public=public)
    policy = load_policy(settings.policy)
    store = _Store(settings, backend or get_backend(None, settings), policy)
    reviewer = SecondOpinion.from_settings(settings, policy) if settings.guard_second_opinion else None
    model = load_stage() if settings.guard_model else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.thread.shutdown(wait=False, cancel_futures=True)
        store.models.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="coach API", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="投诉应对回复教练：起草回复、检查回复、回访话术、检索培训资料。")
    _handlers(app)
    _page_routes(app, store, policy, token)
    _api_routes(app, store, policy, reviewer, model)
    app.mount("/static", StaticFiles(directory=WEB), name="static")
    app.add_middleware(_Gate, token=token, allowed_hosts=allowed_hosts)
    return app


def api_token(settings: Settings, *, public: bool) -> str | None:
    """The token requests must carry: COACH_API_TOKEN without surrounding whitespace (no client can send that).
    Off loopback it is required, and long enough not to be guessed; a blank one counts as none."""
    token = (settings.api_token or "").strip() or None
    if public and (token is None or len(token) < MIN_TOKEN_CHARS):
        problem = "没有设置访问令牌" if token is None else f"访问令牌只有 {len(token)} 个字符"
        raise ConfigError(f"拒绝在非本机地址上提供服务：{problem}（COACH_API_TOKEN 至少 {MIN_TOKEN_CHARS} 个字符），"
                          "网络上的任何人都能使用 / refusing a public bind without a usable API token",
                          "set COACH_API_TOKEN to a long random value (e.g. `openssl rand -hex 32`), "
                          "or serve on --host 127.0.0.1")
    return token


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(CoachError)
    async def coach_error(request: Request, exc: CoachError) -> JSONResponse:
        _note(request, code=exc.code)
        headline = _ZH.get(exc.code, _ZH["coach_error"])
        return _error(exc.http_status, exc.code, f"{headline}：{exc.message}", exc.fix, request_id=_request_id(request))

    @app.exception_handler(_Limit)
    async def limit(request: Request, exc: _Limit) -> JSONResponse:
        _note(request, code=exc.error.code)
        body = exc.error.model_copy(update={"request_id": _request_id(request)})
        return JSONResponse(body.model_dump(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]  # the offending input is not echoed back
        first = errors[0] if errors else {"loc": [], "msg": "", "type": ""}
        code = "text_too_long" if first["type"] == "string_too_long" else "validation_error"
        field = ".".join(p for p in first["loc"] if p != "body") or "请求体"
        _note(request, code=code)
        fix = SURROGATE_FIX if first["type"] == "lone_surrogate" else "按 /docs 中的格式发送 JSON（UTF-8）"
        body = ApiError(code=code, message=f"请求内容不符合要求：{field}：{first['msg']}", fix=fix,
                        request_id=_request_id(request)).model_dump()
        return JSONResponse({**body, "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: ("not_found", "没有这个地址"), 405: ("method_not_allowed", "这个地址不接受该请求方法")}
        code, message = codes.get(exc.status_code, ("http_error", "请求无法处理"))
        _note(request, code=code)
        return _error(exc.status_code, code, message, "查看 /docs 中的接口列表", request_id=_request_id(request))


def _page_routes(app: FastAPI, store: _Store, policy: Policy, token: str | None) -> None:
    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB / "index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(WEB / "docs.html")

    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        backend_name, model_name = provenance(store.backend)
        return Health(ok=store.state in ("not_opened", "ready"), backend=backend_name, model=model_name,
                      store=store.state, auth=bool(token))

    @app.get("/v1/roles", response_model=list[RoleInfo])
    def roles() -> list[RoleInfo]:
        return [RoleInfo(role=k, name=r.name, default=k == policy.default_role) for k, r in policy.roles.items()]


def _api_routes(app: FastAPI, store: _Store, policy: Policy, reviewer: SecondOpinion | None,
                model: ModelStage | None) -> None:
    errors: dict[int | str, dict[str, Any]] = {s: {"model": ApiError} for s in (401, 413, 422, 502, 503)}

    @app.post("/v1/draft", response_model=Draft, responses=errors)
    async def draft(body: DraftRequest, request: Request) -> Draft:
        """起草回复：与 `coach draft --json` 相同。"""
        _check_turns(body.conversation)
        result = await store.run(lambda chain: chain.draft(body), calls_model=True)
        _note(request, backend=result.backend, guard="ok" if result.guard.ok else "violation",
              attempts=len(result.attempts), fell_back=result.fell_back, escalate=result.escalate,
              model_errors=sum(1 for a in result.attempts if a.error))
        return result

    @app.post("/v1/check", response_model=GuardReport, responses=errors)
    def check(body: CheckRequest, request: Request) -> GuardReport:
        """检查回复：与 `coach check --json` 相同；`context` 为客户上一句话或对话。"""
        _check_length(body.text, "回复")
        _check_turns(body.context)
        report = guard_check(body.text, role=policy.role(body.role), context=body.context, policy=policy,
                             reviewer=reviewer, model=model)
        _note(request, backend="guard", guard="ok" if report.ok else f"violations:{len(report.violations)}",
              second_opinion=report.second_opinion)
        return report

    @app.post("/v1/callback", response_model=CallbackScript, responses=errors)
    def callback(body: CallbackCase, request: Request,
                 fmt: Literal["markdown", "text"] = Query("markdown", alias="format")) -> CallbackScript:
        """回访话术：与 `coach callback --json` 相同；`?format=text` 得到纯文本。"""
        script = callback_script(body, fmt=fmt, policy=policy)
        _note(request, backend=script.backend, guard="ok" if script.guard.ok else "violation",
              adjusted=len(script.adjustments))
        return script

    async def _retrieve(query: str, k: int, request: Request) -> Retrieval:
        result = await store.run(lambda chain: chain.retriever.retrieve(query, k))
        _note(request, backend="retriever", passages=len(result.passages))
        return result

    @app.get("/v1/retrieve", response_model=Retrieval, responses=errors)
    async def retrieve(request: Request, q: str = Query(min_length=1, max_length=2000),
                       k: int = Query(5, ge=1, le=50)) -> Retrieval:
        """检索培训资料：与 `coach retrieve --json` 相同。"""
        return await _retrieve(q, k, request)

    @app.post("/v1/retrieve", response_model=Retrieval, responses=errors)
    async def retrieve_post(body: RetrievalRequest, request: Request) -> Retrieval:
        """同上，查询放在请求体里（不进浏览器历史和代理日志）。"""
        return await _retrieve(body.query, body.k, request)

    @app.get("/v1/passages/{chunk_id}", response_model=Passage, responses={404: {"model": ApiError}, **errors})
    async def passage(chunk_id: str) -> Passage:
        """一条引用的原文（页面上点击出处时打开）。"""
        found = await store.run(lambda chain: chain.retriever.store.get([chunk_id]))
        if not found:
            raise _Limit(404, ApiError(code="passage_not_found", message="没有找到这条出处",
                                       fix="重新起草一次，出处会随知识库更新"))
        meta = found[0].metadata
        return Passage(text=found[0].text, source=str(meta.get("doc_id", "")), title=str(meta.get("title", "")),
                       section=str(meta.get("section", "")), score=0.0, chunk_id=chunk_id,
                       kind=meta.get("kind", "principle"))


class _Gate:
    """Pure ASGI: host check, bearer token, body-size limit, one log line per request, no stack traces out."""

    def __init__(self, app: Any, token: str | None, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # "r" first: log lines are masked, and 12 hex characters that happen to be all digits would be masked
        # as an account number, losing the id the client was given.
        started, request_id = time.perf_counter(), f"r{uuid.uuid4().hex[:11]}"
        status = {"code": 0}
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers += [(b"x-request-id", request_id.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                            (b"content-security-policy", _CSP.encode())]
                if scope["path"].startswith("/v1/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = self._refusal(scope, request_id)
            if refusal is not None:
                await refusal(scope, receive, send_wrapped)
            else:
                await self.app(scope, await self._buffered(scope, receive), send_wrapped)
        except _Limit as exc:
            scope["state"].setdefault("log", {})["code"] = exc.error.code
            if not status["code"]:
                body = exc.error.model_copy(update={"request_id": request_id})
                await JSONResponse(body.model_dump(), status_code=exc.status)(scope, receive, send_wrapped)
        except Exception as exc:  # a bug: log its type only (its message may quote the request), answer 500
            scope["state"].setdefault("log", {})["error"] = type(exc).__name__
            if not status["code"]:
                crash = _error(500, "internal_error", f"服务器内部错误（请求编号 {request_id}）",
                               "请重试；如仍失败，把请求编号报告给管理员", request_id=request_id)
                await crash(scope, receive, send_wrapped)
        finally:
            self._log(scope, request_id, status["code"], started)

    def _refusal(self, scope: dict[str, Any], request_id: str) -> JSONResponse | None:
        headers = {k.decode("latin-1"): v for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None and _hostname(headers.get("host", b"")) not in self.allowed_hosts:
            return _error(421, "bad_host", "这个服务只接受本机地址（127.0.0.1 / localhost）的访问",
                          "在本机用 http://127.0.0.1:端口/ 打开", request_id=request_id)
        path = scope["path"]
        guarded = not (path in _PUBLIC_PATHS or path.startswith("/static/"))
        if (guarded and self.expected is not None
                and not hmac.compare_digest(_canonical_scheme(headers.get("authorization", b"")), self.expected)):
            return _error(401, "unauthorized", "缺少或错误的访问令牌",
                          "在请求头加上 Authorization: Bearer <COACH_API_TOKEN>",
                          headers={"WWW-Authenticate": "Bearer"}, request_id=request_id)
        length = headers.get("content-length", b"0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            return _error(413, "body_too_large", _TOO_LARGE, _TOO_LARGE_FIX, request_id=request_id)
        return None

    @staticmethod
    async def _buffered(scope: dict[str, Any], receive: Receive) -> Receive:
        """A body without Content-Length (chunked) is read here, up to the limit, then replayed."""
        if any(k == b"content-length" for k, _ in scope.get("headers", [])) or scope["method"] in ("GET", "HEAD"):
            return receive  # Content-Length was checked against the limit; the server enforces the framing
        parts, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > MAX_BODY_BYTES:
                raise _Limit(413, ApiError(code="body_too_large", message=_TOO_LARGE, fix=_TOO_LARGE_FIX))
            parts.append(message.get("body", b""))
            more = message.get("more_body", False)
        replay = [{"type": "http.request", "body": b"".join(parts), "more_body": False}]

        async def replayed() -> dict[str, Any]:
            return replay.pop() if replay else await receive()

        return replayed

    @staticmethod
    def _log(scope: dict[str, Any], request_id: str, status: int, started: float) -> None:
        route = scope.get("route")
        line = {"event": "http", "id": request_id, "method": scope.get("method"),
                "route": getattr(route, "path", None) or _static_or_unmatched(scope["path"]), "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1), **scope["state"].get("log", {})}
        log.log(logging.WARNING if status >= 500 else logging.INFO, "%s",
                json.dumps(line, ensure_ascii=False, default=str))


def _canonical_scheme(authorization: bytes) -> bytes:
    """``bearer  TOKEN`` → ``Bearer TOKEN``: the scheme is case-insensitive and followed by one or more spaces
    (RFC 7235 §2.1); the credentials are left exactly as sent, for the constant-time comparison."""
    scheme, _, credentials = authorization.partition(b" ")
    return b"Bearer " + credentials.lstrip(b" ") if scheme.lower() == b"bearer" else authorization


def _hostname(host: bytes) -> str:
    """The Host header without its port: ``127.0.0.1:8765`` → ``127.0.0.1``, ``[::1]:8765`` → ``[::1]``."""
    text = host.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text.split("]", 1)[0] + "]"
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def _static_or_unmatched(path: str) -> str:
    """The log's route for a request no route matched: never the raw path, which may hold customer text."""
    return "/static" if path.startswith("/static/") else "unmatched"
