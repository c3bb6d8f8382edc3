"""One Pydantic result per job, shared by the CLI (``--json``), the API and the evals.

Kept free of heavy imports: ``coach check`` loads this module and must start fast.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChunkKind = Literal["principle", "script", "taboo", "case", "outline"]


class Passage(BaseModel):
    text: str = Field(description="The chunk in the document's original script.")
    source: str = Field(description="Document id from corpus/manifest.yaml.")
    title: str
    section: str = Field(description="Heading path inside the document, ' > ' separated.")
    score: float = Field(description="Fused relevance score; higher is better.")
    chunk_id: str
    kind: ChunkKind = Field(
        default="principle",
        description="principle | script (wording staff may use) | taboo (what not to say) | case | outline.",
    )


class Retrieval(BaseModel):
    query: str
    passages: list[Passage]
    notice: str | None = Field(default=None, description="Set when a test-only embedding answered.")


class RetrievalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=50)


class DocumentIngest(BaseModel):
    doc_id: str
    title: str
    status: Literal["added", "changed", "unchanged"]
    chunks: int
    in_manifest: bool = True


class IngestSummary(BaseModel):
    documents: list[DocumentIngest]
    added: int
    unchanged: int
    removed: int
    seconds: float
    embedding: str
    notice: str | None = None


class Violation(BaseModel):
    kind: Literal["unauthorized_promise", "forbidden_phrase"]
    category: str
    span: str
    start: int = Field(description="Code-point offset into the text as received: text[start:end] == span.")
    end: int
    explanation: str = Field(description="Why this breaks policy, in Chinese.")
    suggestion: str = Field(description="A safe rewrite of the offending sentence.")
    source: str = Field(description="Corpus citation of the principle behind the rule.")


class GuardReport(BaseModel):
    ok: bool
    violations: list[Violation]
    role: str = "frontline"


class DoctorCheck(BaseModel):
    name: str
    ok: bool
    detail: str
    fix: str = ""


class DoctorReport(BaseModel):
    ok: bool
    checks: list[DoctorCheck]
    repaired: list[str] = Field(default_factory=list)
