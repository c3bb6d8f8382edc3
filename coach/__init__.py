"""coach: a reply coach for staff who handle customer complaints.

The Python API returns the same typed results as the CLI's ``--json`` and the HTTP API::

    import coach
    coach.retrieve("客户要求赔偿怎么办").passages      # Retrieval
    coach.draft("你们业务员骗我买保险，我要退保！").reply   # Draft (offline composer unless a model is configured)
    coach.check("我保证明天给您全额退款。").ok            # GuardReport
    coach.callback(case).script                          # CallbackScript from a CallbackCase

Each function reads the settings (COACH_* environment, coach.yaml) unless given ``settings``. Heavy
modules load on the first call, so ``import coach`` stays cheap. For LangChain apps see ``coach.langchain``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.chain import DraftChain
    from coach.config import Settings
    from coach.retrieval import Retriever
    from coach.types import CallbackCase, CallbackScript, Draft, GuardReport, Retrieval

__version__ = "0.1.0"
__all__ = ["__version__", "callback", "check", "draft", "retrieve"]


@cache
def _default_chain() -> DraftChain:
    from coach.chain import DraftChain
    from coach.config import load_settings

    return DraftChain(load_settings())


@cache
def _default_retriever() -> Retriever:
    from coach.config import load_settings
    from coach.retrieval import Retriever

    return Retriever(load_settings())


def draft(message: str, *, conversation: list[dict[str, str]] | None = None, role: str | None = None,
          domain: str | None = None, settings: Settings | None = None, **options: Any) -> Draft:
    """A guarded reply to the customer's ``message``; ``options`` are further DraftRequest fields."""
    from coach.chain import DraftChain
    from coach.types import DraftRequest

    request = DraftRequest.model_validate(
        {"message": message, "conversation": conversation, "role": role, "domain": domain, **options})
    chain = DraftChain(settings) if settings else _default_chain()
    return chain.draft(request)


def check(text: str, *, role: str | None = None, context: str | list[dict[str, str]] | None = None) -> GuardReport:
    """The guard's report on a staff reply; ``context`` is the customer's last words or the conversation."""
    from coach.config import load_settings
    from coach.guard import check as guard_check
    from coach.policy import load_policy

    settings = load_settings()
    model = None
    if settings.guard_model:
        from coach.guard.model import load_stage

        model = load_stage()
    policy = load_policy(settings.policy)
    return guard_check(text, role=policy.role(role), context=context, policy=policy, model=model)


def retrieve(query: str, *, k: int = 5, domain: str | None = None, settings: Settings | None = None) -> Retrieval:
    """The ``k`` best passages of the training material for ``query``."""
    if settings:
        from coach.retrieval import Retriever

        return Retriever(settings).retrieve(query, k=k, domain=domain)
    return _default_retriever().retrieve(query, k=k, domain=domain)


def callback(case: CallbackCase | dict[str, Any], *, fmt: str = "markdown") -> CallbackScript:
    """A callback (回访) script for a case record; only commitments the policy allows."""
    from coach.callback_script import callback_script
    from coach.config import load_settings
    from coach.policy import load_policy
    from coach.types import CallbackCase

    record = case if isinstance(case, CallbackCase) else CallbackCase.model_validate(case)
    return callback_script(record, fmt=fmt, policy=load_policy(load_settings().policy))
