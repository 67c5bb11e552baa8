"""Keys typed before a step can take them: held in order, then given to the steps one by one.

A step is drawn before it is usable: Welcome surveys the project after its first paint,
Model loads the catalog, Roles reads seal.toml. An Enter pressed at first paint used to
reach a screen with nothing focused and was lost. Now the App holds every key while the
step on screen is not taking keys (`StepScreen.taking_keys`), and once it is, gives them
back one at a time, each handled in full (and any step change it caused made) before the
next; a key meant for the following step waits for that step in turn. Ctrl+C and Ctrl+Q
are never held: leaving must work while a step is still loading.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Collection, Coroutine
from typing import TYPE_CHECKING, Any

from textual import events

from screens.base import StepScreen

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

# Typeahead is a few keys; a stuck key or a paste read as keys must not queue without end.
LIMIT = 64
# How long to wait for one widget to get through its queue before giving the next key.
_SETTLE_TIMEOUT = 1.0
# Rounds of "everyone has handled what they had": a key posts a message (an option chosen),
# whose handler posts another (the step finished), whose handler changes the step.
_ROUNDS = 4
# An Enter (or Ctrl+N) typed after a step went on by itself but before the next step could
# take keys was meant for that step's Next (the person saw "✓ Verified" and pressed it):
# given to the following step it would pick something there unseen. It is dropped.
NEXT_KEYS = ("enter", "ctrl+n")

_REPLAYED = "_seal_typeahead_replayed"


def _taking(screen: object) -> bool:
    """Whether keys can go to `screen` now (dialogs and other screens always take them)."""
    return not isinstance(screen, StepScreen) or screen.taking_keys


class Typeahead:
    """The App's queue of keys that arrived before the step could take them."""

    def __init__(self, app: App[Any], passing: Collection[str]) -> None:
        self._app = app
        self._passing = frozenset(passing)
        self._held: deque[events.Key] = deque()
        # A key is being handled (given at once, or given from the queue): the next one
        # waits, or an Enter that ends a step and the next key race (the second reached
        # the old step and was lost).
        self._busy = False
        self._task: asyncio.Task[None] | None = None
        # The step went on by itself and the next one does not take keys yet.
        self._went_on = False

    @property
    def held(self) -> int:
        """How many keys wait."""
        return len(self._held)

    def hold(self, event: events.Key) -> bool:
        """True if `event` is held (the App must not handle it now)."""
        if event.is_forwarded:
            return False  # on its way back up from the widgets: handled already
        if getattr(event, _REPLAYED, False) or event.key in self._passing:
            return False
        if self._meant_for_the_step_before(event):
            return True  # dropped: see NEXT_KEYS
        if not self._busy and not self._held and _taking(self._app.screen):
            # Handled now, without a hop; the keys after it wait until it has been.
            self._start(self._after_one())
            return False
        if len(self._held) < LIMIT:
            self._held.append(event)
        self.give()
        return True

    def went_on_by_itself(self) -> None:
        """The step on screen finished without a key (after "✓ Verified")."""
        self._went_on = True

    def step_takes_keys(self) -> None:
        """The step on screen takes keys now: what is typed from here is meant for it."""
        self._went_on = False
        self.give()

    def _meant_for_the_step_before(self, event: events.Key) -> bool:
        return self._went_on and event.key in NEXT_KEYS and not _taking(self._app.screen)

    def give(self) -> None:
        """Give the held keys to the step on screen, if it takes them now."""
        if self._held and not self._busy and _taking(self._app.screen):
            self._start(self._give_all())

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        self._busy = True
        # A plain task, not a Textual worker: a worker's state messages on every key
        # would cost more than the key.
        self._task = asyncio.create_task(work)

    async def _after_one(self) -> None:
        try:
            await self._settle()
        finally:
            self._busy = False
            self.give()

    async def _give_all(self) -> None:
        try:
            while self._held and _taking(self._app.screen):
                held = self._held.popleft()
                key = events.Key(held.key, held.character)
                setattr(key, _REPLAYED, True)
                self._app.post_message(key)
                await self._settle()
        finally:
            self._busy = False
        # A key may have arrived while the last one was being handled.
        self.give()

    async def _settle(self) -> None:
        """Wait until the App, the step and its focused widgets have handled their queues."""
        app = self._app
        for _ in range(_ROUNDS):
            screen = app.screen
            focused = screen.focused
            pumps: list[MessagePump] = [app, screen]
            if focused is not None:
                # The focused widget and its containers: where a key and what it posts go.
                pumps += [
                    n for n in focused.ancestors_with_self if n is not app and n is not screen
                ]
            await _all_idle(pumps)
            if app.screen is not screen:
                return  # the key changed the step: the new one says when it takes keys


async def _all_idle(pumps: list[MessagePump]) -> None:
    """Each pump runs a callback after what it already has queued."""
    done = [asyncio.Event() for _ in pumps]
    waiting = [
        event.wait() for pump, event in zip(pumps, done, strict=True) if pump.call_later(event.set)
    ]
    if waiting:
        futures = [asyncio.ensure_future(w) for w in waiting]
        _, pending = await asyncio.wait(futures, timeout=_SETTLE_TIMEOUT)
        for future in pending:  # a pump that went away meanwhile: not waited on forever
            future.cancel()
