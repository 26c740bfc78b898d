"""An intent classifier backed by Bedrock, behind the same interface as the offline rules.

The model must answer through one forced tool (``classify_intent``) whose schema allows
only the three intents and the known topics, so its output is always well-formed. If
Bedrock fails (throttled past the retries, no access), the offline rules answer instead and
the reason says so: classification never blocks a question.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.agents.answer import Intent
from workbench.aws.errors import translate
from workbench.aws.session import client as aws_client
from workbench.core.errors import WorkbenchError
from workbench.core.logs import log_event
from workbench.core.retry import RetryPolicy, retry_call
from workbench.cost.usage import LlmUsage
from workbench.orchestrator.intent import (
    IntentResult,
    RuleIntentClassifier,
    register_intent_classifier,
)

if TYPE_CHECKING:
    from workbench.core.config import Settings

log = logging.getLogger(__name__)

TOOL = "classify_intent"
TOPICS = ("inventory", "logistics", "procurement")
_SYSTEM = (
    "Classify a supply-chain question. sql_query: a lookup, listing or aggregate of data "
    "(which products are below their reorder point, revenue by month). optimization: a "
    "calculation (economic order quantity, safety stock to hold, demand forecast, delivery "
    "route, supplier score or ranking, warehouse capacity). hybrid: a filtered listing plus a "
    "calculation on what it lists (which items are below reorder point and how much to order). "
    "Topics: inventory, logistics (deliveries, routes), procurement (suppliers, purchase orders)."
)
_SCHEMA = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": [i.value for i in Intent]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "topics": {"type": "array", "items": {"type": "string", "enum": list(TOPICS)}},
        "calculations": {"type": "array", "items": {"type": "string"}},
        "reason": {"type": "string"},
    },
    "required": ["intent", "confidence"],
}


@dataclass(frozen=True)
class LlmIntentResult(IntentResult):
    """An :class:`IntentResult` that also carries the tokens the classification used."""

    usage: tuple[LlmUsage, ...] = ()


class LlmIntentClassifier:
    name = "bedrock"

    def __init__(
        self,
        settings: Settings,
        *,
        client: Any = None,
        boto3_session: Any = None,
        fallback: Any = None,
        sleep: Any = time.sleep,
    ) -> None:
        self.settings = settings
        self.config = settings.planner.bedrock
        self._client = client
        self._boto3_session = boto3_session
        self.fallback = fallback or RuleIntentClassifier()
        self._sleep = sleep

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client(
                "bedrock-runtime",
                self.settings.aws,
                boto3_session=self._boto3_session,
                max_attempts=1,
                read_timeout=self.config.read_timeout_seconds,
            )
        return self._client

    def _converse(self, question: str, persona: Any) -> dict[str, Any]:
        who = getattr(persona, "label", None) or (
            str(persona) if persona is not None else "business user"
        )
        kwargs = {
            "modelId": self.config.model_id,
            "system": [{"text": _SYSTEM}],
            "messages": [
                {
                    "role": "user",
                    "content": [{"text": f"Question from a {who}: {question.strip()[:2000]}"}],
                }
            ],
            "toolConfig": {
                "tools": [
                    {
                        "toolSpec": {
                            "name": TOOL,
                            "description": "Report the intent of the question.",
                            "inputSchema": {"json": _SCHEMA},
                        }
                    }
                ],
                "toolChoice": {"tool": {"name": TOOL}},
            },
            "inferenceConfig": {"maxTokens": 256, "temperature": 0.0},
        }

        def once() -> dict[str, Any]:
            try:
                response: dict[str, Any] = self.client.converse(**kwargs)
                return response
            except Exception as exc:
                if type(exc).__module__.startswith("botocore"):
                    raise translate(exc, service="bedrock-runtime", action="converse") from exc
                raise

        policy = RetryPolicy(
            attempts=self.config.retry_attempts,
            base_delay=self.config.retry_base_seconds,
            max_delay=self.config.retry_max_seconds,
        )
        return retry_call(once, policy, sleep=self._sleep, what="bedrock intent")

    def classify(self, question: str, persona: Any = None) -> IntentResult:
        try:
            response = self._converse(question, persona)
        except WorkbenchError as exc:
            result = self.fallback.classify(question, persona)
            log_event(
                log,
                "intent_llm_unavailable",
                error=exc.message,
                code=exc.code,
                level=logging.WARNING,
            )
            return LlmIntentResult(
                result.intent,
                result.confidence,
                (*result.reasons, f"rules used: Bedrock unavailable ({exc.code})"),
                result.topics,
                result.calculations,
            )
        raw = response.get("usage") or {}
        usage = (
            LlmUsage(
                self.name,
                self.config.model_id,
                int(raw.get("inputTokens", 0)),
                int(raw.get("outputTokens", 0)),
            ),
        )
        uses = [
            c["toolUse"] for c in response["output"]["message"].get("content", []) if "toolUse" in c
        ]
        data = uses[0].get("input", {}) if uses else {}
        try:
            intent = Intent(str(data.get("intent")))
            confidence = max(0.0, min(1.0, float(data.get("confidence", 0.5))))
        except (ValueError, TypeError):
            result = self.fallback.classify(question, persona)
            return LlmIntentResult(
                result.intent,
                result.confidence,
                (*result.reasons, "rules used: the model's answer was not an intent"),
                result.topics,
                result.calculations,
                usage,
            )
        topics = tuple(t for t in data.get("topics") or () if t in TOPICS)
        calculations = tuple(str(c) for c in data.get("calculations") or ())
        reason = str(data.get("reason") or "").strip()
        return LlmIntentResult(
            intent,
            confidence,
            (f"llm: {reason}" if reason else "llm",),
            topics,
            calculations,
            usage,
        )


@register_intent_classifier("bedrock")
def _bedrock_classifier(settings: Settings) -> LlmIntentClassifier:
    return LlmIntentClassifier(settings)
