"""Model lists in the shape the real providers send, for the fake to serve
(`FakeProvider.model_lists`): OpenAI's mixed list of every kind of model, OpenRouter's
300+ entries with string prices, `-1` and null ceilings, `:free`/`:thinking` variants and
`~` router ids, Anthropic's with and without capabilities and with zero limits.

Ids and fields follow the providers' lists as published; the figures are illustrative.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.provider import anthropic_model, openrouter_model

# --- OpenAI GET /models -------------------------------------------------------------------

# Models an agent can talk to: chat and reasoning models, dated snapshots, a fine-tune.
OPENAI_CHAT = [
    "gpt-3.5-turbo",
    "gpt-3.5-turbo-0125",
    "gpt-3.5-turbo-1106",
    "gpt-3.5-turbo-16k",
    "gpt-4",
    "gpt-4-0613",
    "gpt-4-0125-preview",
    "gpt-4-1106-preview",
    "gpt-4-turbo",
    "gpt-4-turbo-2024-04-09",
    "gpt-4-turbo-preview",
    "gpt-4o",
    "gpt-4o-2024-05-13",
    "gpt-4o-2024-08-06",
    "gpt-4o-2024-11-20",
    "gpt-4o-mini",
    "gpt-4o-mini-2024-07-18",
    "chatgpt-4o-latest",
    "gpt-4.1",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano",
    "gpt-4.1-nano-2025-04-14",
    "gpt-4.5-preview",
    "gpt-4.5-preview-2025-02-27",
    "o1",
    "o1-2024-12-17",
    "o1-mini",
    "o1-mini-2024-09-12",
    "o1-preview",
    "o1-preview-2024-09-12",
    "o1-pro",
    "o1-pro-2025-03-19",
    "o3",
    "o3-2025-04-16",
    "o3-mini",
    "o3-mini-2025-01-31",
    "o3-pro",
    "o3-pro-2025-06-10",
    "o4-mini",
    "o4-mini-2025-04-16",
    "gpt-5",
    "gpt-5-2025-08-07",
    "gpt-5-mini",
    "gpt-5-mini-2025-08-07",
    "gpt-5-nano",
    "gpt-5-nano-2025-08-07",
    "gpt-5-chat-latest",
    "gpt-5-codex",
    "gpt-5-pro",
    "gpt-5-pro-2025-10-06",
    "gpt-5.1",
    "gpt-5.1-2025-11-13",
    "gpt-5.1-chat-latest",
    "gpt-5.1-codex",
    "gpt-5.1-codex-mini",
    "codex-mini-latest",
    "ft:gpt-4o-mini-2024-07-18:acme::A1b2C3d4",
    "ft:gpt-4.1-2025-04-14:acme:support:B5c6D7e8",
]

# Everything else the real list holds: embeddings, speech, transcription, images, video,
# moderation, completions-only (instruct, davinci, babbage), realtime, audio, search,
# deep research and computer use.
OPENAI_NOT_CHAT = [
    "text-embedding-3-large",
    "text-embedding-3-small",
    "text-embedding-ada-002",
    "whisper-1",
    "tts-1",
    "tts-1-hd",
    "tts-1-1106",
    "tts-1-hd-1106",
    "gpt-4o-mini-tts",
    "gpt-4o-mini-tts-2025-03-20",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-transcribe-diarize",
    "dall-e-2",
    "dall-e-3",
    "gpt-image-1",
    "gpt-image-1-mini",
    "chatgpt-image-latest",
    "sora-2",
    "sora-2-pro",
    "omni-moderation-latest",
    "omni-moderation-2024-09-26",
    "text-moderation-latest",
    "text-moderation-stable",
    "davinci-002",
    "babbage-002",
    "gpt-3.5-turbo-instruct",
    "gpt-3.5-turbo-instruct-0914",
    "gpt-4o-realtime-preview",
    "gpt-4o-realtime-preview-2024-10-01",
    "gpt-4o-realtime-preview-2024-12-17",
    "gpt-4o-realtime-preview-2025-06-03",
    "gpt-4o-mini-realtime-preview",
    "gpt-4o-mini-realtime-preview-2024-12-17",
    "gpt-realtime",
    "gpt-realtime-2025-08-28",
    "gpt-realtime-mini",
    "gpt-realtime-mini-2025-10-06",
    "gpt-4o-audio-preview",
    "gpt-4o-audio-preview-2024-10-01",
    "gpt-4o-audio-preview-2024-12-17",
    "gpt-4o-audio-preview-2025-06-03",
    "gpt-4o-mini-audio-preview",
    "gpt-4o-mini-audio-preview-2024-12-17",
    "gpt-audio",
    "gpt-audio-2025-08-28",
    "gpt-audio-mini",
    "gpt-audio-mini-2025-10-06",
    "gpt-4o-search-preview",
    "gpt-4o-search-preview-2025-03-11",
    "gpt-4o-mini-search-preview",
    "gpt-4o-mini-search-preview-2025-03-11",
    "gpt-5-search-api",
    "gpt-5-search-api-2025-10-14",
    "o3-deep-research",
    "o3-deep-research-2025-06-26",
    "o4-mini-deep-research",
    "o4-mini-deep-research-2025-06-26",
    "computer-use-preview",
    "computer-use-preview-2025-03-11",
]


def openai_list(size: int = 150) -> list[dict[str, Any]]:
    """OpenAI's list: every id above, padded with dated chat snapshots and fine-tunes to
    `size` entries, interleaved as the real (unordered) list is."""
    chat = list(OPENAI_CHAT)
    for i in range(size - len(OPENAI_CHAT) - len(OPENAI_NOT_CHAT)):
        chat.append(f"ft:gpt-4o-mini-2024-07-18:acme:job-{i:02d}:Z{i:07d}")
    ids = [*chat, *OPENAI_NOT_CHAT]
    ids.sort(key=lambda mid: (hash_of(mid), mid))
    return [
        {
            "id": mid,
            "object": "model",
            "created": 1_680_000_000 + 86_400 * n,
            "owned_by": "user-acme" if mid.startswith("ft:") else "system",
        }
        for n, mid in enumerate(ids)
    ]


def openai_chat_ids(size: int = 150) -> set[str]:
    """The ids of `openai_list(size)` an agent can talk to."""
    return {m["id"] for m in openai_list(size) if m["id"] not in OPENAI_NOT_CHAT}


def hash_of(text: str) -> int:
    """A stable order that is neither alphabetical nor by kind (Python's hash() varies)."""
    return sum((i + 1) * ord(c) for i, c in enumerate(text)) % 97


# --- OpenRouter GET /models ---------------------------------------------------------------

_VENDORS = [
    "anthropic",
    "openai",
    "google",
    "meta-llama",
    "mistralai",
    "deepseek",
    "qwen",
    "x-ai",
    "cohere",
    "nousresearch",
    "microsoft",
    "amazon",
    "perplexity",
    "nvidia",
    "moonshotai",
    "z-ai",
    "minimax",
    "baidu",
    "thudm",
    "inflection",
]

# Router ids: they name "the newest of a line" and move under the person.
OPENROUTER_ROUTERS = (
    "~anthropic/claude-sonnet-latest",
    "~anthropic/claude-opus-latest",
    "~google/gemini-pro-latest",
)


def _router(model_id: str) -> dict[str, Any]:
    entry = openrouter_model(model_id, f"{model_id} (router)", 1_000_000, 64_000, "-1", "-1")
    entry["pricing"] = {"prompt": "-1", "completion": "-1"}
    return entry


def openrouter_list(size: int = 320) -> list[dict[str, Any]]:
    """OpenRouter's list: the real Claude slugs, `:free` and `:thinking` variants, a
    model with a null ceiling, one with -1, one with 0 (unknown), the `openrouter/auto`
    router (prices "-1"), `~` router ids, and vendors' models to `size` entries."""
    rows: list[dict[str, Any]] = [
        openrouter_model(
            "anthropic/claude-opus-4.7",
            "Anthropic: Claude Opus 4.7",
            1_000_000,
            128_000,
            "0.000005",
            "0.000025",
        ),
        openrouter_model(
            "anthropic/claude-sonnet-4.6",
            "Anthropic: Claude Sonnet 4.6",
            1_000_000,
            128_000,
            "0.000003",
            "0.000015",
        ),
        openrouter_model(
            "anthropic/claude-haiku-4.5",
            "Anthropic: Claude Haiku 4.5",
            200_000,
            64_000,
            "0.000001",
            "0.000005",
        ),
        openrouter_model(
            "anthropic/claude-3.7-sonnet:thinking",
            "Anthropic: Claude 3.7 Sonnet (thinking)",
            200_000,
            64_000,
            "0.000003",
            "0.000015",
        ),
        openrouter_model(
            "deepseek/deepseek-r1:free", "DeepSeek: R1 (free)", 163_840, None, "0", "0"
        ),
        openrouter_model(
            "qwen/qwen3-coder:free", "Qwen: Qwen3 Coder (free)", 262_144, 262_144, "0", "0"
        ),
        openrouter_model(
            "google/gemini-2.5-pro",
            "Google: Gemini 2.5 Pro",
            1_048_576,
            65_536,
            "0.00000125",
            "0.00001",
        ),
        openrouter_model(
            "meta-llama/llama-3.3-70b-instruct",
            "Meta: Llama 3.3 70B Instruct",
            131_072,
            None,
            "0.0000001",
            "0.00000032",
        ),
        openrouter_model(
            "mistralai/mistral-large-2411",
            "Mistral Large 2411",
            131_072,
            -1,
            "0.000002",
            "0.000006",
        ),
        openrouter_model(
            "nousresearch/hermes-4-70b", "Nous: Hermes 4 70B", 0, 0, "0.00000013", "0.0000004"
        ),
        openrouter_model(
            "openai/gpt-5", "OpenAI: GPT-5", 400_000, 128_000, "0.00000125", "0.00001"
        ),
    ]
    auto = openrouter_model("openrouter/auto", "Auto Router", 2_000_000, None, "-1", "-1")
    rows.append(auto)
    rows += [_router(mid) for mid in OPENROUTER_ROUTERS]
    for i in range(size - len(rows)):
        vendor = _VENDORS[i % len(_VENDORS)]
        context = (32_768, 65_536, 128_000, 131_072, 200_000, 1_048_576)[i % 6]
        ceiling = (4096, 8192, 16_384, None, 32_000, 65_536)[i % 6]
        rows.append(
            openrouter_model(
                f"{vendor}/model-{i:03d}" + (":free" if i % 11 == 0 else ""),
                f"{vendor.title()}: Model {i}",
                context,
                ceiling,
                "0" if i % 11 == 0 else f"0.000000{i % 9 + 1}",
                "0" if i % 11 == 0 else f"0.00000{i % 9 + 1}",
            )
        )
    return rows


# --- Anthropic GET /v1/models -------------------------------------------------------------


def anthropic_list() -> list[dict[str, Any]]:
    """Anthropic's list as its docs example and proxies send it: one entry with
    capabilities, one without (an older API version), one with 0 for both limits."""
    full = anthropic_model(
        "claude-sonnet-4-6",
        "Claude Sonnet 4.6",
        "2026-02-17T00:00:00Z",
        1_000_000,
        128_000,
        {"adaptive": True, "enabled": True},
        ("low", "medium", "high"),
    )
    bare = {
        "type": "model",
        "id": "claude-opus-4-7",
        "display_name": "Claude Opus 4.7",
        "created_at": "2026-04-16T00:00:00Z",
    }
    zeros = {
        "type": "model",
        "id": "claude-haiku-4-5-20251001",
        "display_name": "Claude Haiku 4.5",
        "created_at": "2025-10-15T00:00:00Z",
        "max_input_tokens": 0,
        "max_tokens": 0,
    }
    return [full, bare, zeros]
