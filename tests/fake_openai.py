"""A fake OpenAI-compatible server on 127.0.0.1 for tests: scripted replies, recorded request bodies.

``FakeOpenAI.replies`` is a queue; each item is a string (the assistant's content) or one of the magic
behaviours: ``ERROR_500``, ``TIMEOUT`` (sleeps past the client's timeout), ``MALFORMED`` (invalid JSON
body), ``EMPTY`` (empty content), ``HOLD`` (a slow model: answers only once ``release`` is set, without
blocking the server's other requests). A callable item receives the request body and returns one of these.
When the queue is empty the server echoes a fixed polite reply. ``delay`` makes every chat answer wait that
many seconds first: a slow model (bench/api.py --slow-model).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

ERROR_500, TIMEOUT, MALFORMED, EMPTY, HOLD = "<<500>>", "<<timeout>>", "<<malformed>>", "<<empty>>", "<<hold>>"
DEFAULT_REPLY = "您好，您反映的情况我已经详细记录，我们会转交上级部门，我们会在三个工作日内与您联系。"

Reply = str | Callable[[dict[str, Any]], str]


class FakeOpenAI:
    def __init__(self, timeout_sleep: float = 3.0, delay: float = 0.0) -> None:
        self.replies: list[Reply] = []
        self.delay = delay
        self.bodies: list[dict[str, Any]] = []
        self.timeout_sleep = timeout_sleep
        self.release = threading.Event()
        self.app = self._build()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _next(self, body: dict[str, Any]) -> str:
        item = self.replies.pop(0) if self.replies else DEFAULT_REPLY
        return item(body) if callable(item) else item

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            body = json.loads(await request.body())
            self.bodies.append(body)
            reply = self._next(body)
            if self.delay:
                await asyncio.sleep(self.delay)
            if reply == ERROR_500:
                return JSONResponse({"error": {"message": "boom", "type": "server_error"}}, status_code=500)
            if reply == TIMEOUT:
                await asyncio.sleep(self.timeout_sleep)  # the client gives up first
                reply = DEFAULT_REPLY
            while reply == HOLD and not self.release.is_set():
                await asyncio.sleep(0.01)
            reply = DEFAULT_REPLY if reply == HOLD else reply
            if reply == MALFORMED:
                return PlainTextResponse('{"id": "x", "choices": [', media_type="application/json")
            content = "" if reply == EMPTY else reply
            return JSONResponse({
                "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

        @app.post("/v1/embeddings")
        async def embeddings(request: Request) -> Response:
            body = json.loads(await request.body())
            self.bodies.append(body)
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [{"object": "embedding", "index": i, "embedding": [((hash(str(t)) >> k) % 7) / 7 for k in range(8)]}
                    for i, t in enumerate(inputs)]
            return JSONResponse({"object": "list", "data": data, "model": body.get("model", "fake"),
                                 "usage": {"prompt_tokens": 1, "total_tokens": 1}})

        return app

    def start(self) -> FakeOpenAI:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="error", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=5)

    def all_text(self) -> str:
        return json.dumps(self.bodies, ensure_ascii=False)
